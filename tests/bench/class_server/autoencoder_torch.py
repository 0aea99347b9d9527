# 04-autoencoder written in Python for ipykernel + PyTorch (Debian's python3-torch),
# the comparison run of class_bench.py. Cells are separated by "# %%", as in the
# lecture: the bundled MNIST digits, a 784-256-20 autoencoder trained 10 epochs with
# Adam, the loss curve, reconstructions, the codes as a heatmap, the used code units,
# a 2-d code autoencoder, and decoded random codes. MNIST_DIR is set by the benchmark.
# %%
import gzip, os, time
import numpy as np
import torch
import matplotlib
matplotlib.use("module://matplotlib_inline.backend_inline")
import matplotlib.pyplot as plt
torch.manual_seed(0)

def idx(name):
    with gzip.open(os.path.join(os.environ["MNIST_DIR"], name)) as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)

x_all = torch.tensor(idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0, dtype=torch.float32)
ys = torch.tensor(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
print(f"mnist: {len(x_all)} digits, 784 pixels in [0, 1]")

def show(*rows, labels=None):
    fig, axes = plt.subplots(len(rows), rows[0].shape[0], figsize=(rows[0].shape[0], len(rows)))
    for r, row in enumerate(rows):
        for c in range(row.shape[0]):
            ax = axes[r][c] if len(rows) > 1 else axes[c]
            ax.imshow(row[c].detach().reshape(28, 28), cmap="gray", vmin=0, vmax=1)
            ax.axis("off")
    plt.show()

show(x_all[:20].reshape(2, 10, 784)[0], x_all[:20].reshape(2, 10, 784)[1])
# %%
enc = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 20), torch.nn.ReLU())
dec = torch.nn.Sequential(torch.nn.Linear(20, 256), torch.nn.ReLU(), torch.nn.Linear(256, 784), torch.nn.Sigmoid())
print(enc, dec)
# %%
first = [int((ys < d).sum()) for d in range(10)]
first = [int((ys == d).nonzero()[0]) for d in range(10)]
x10 = x_all[first]
first
# %%
show(x10, dec(enc(x10)))
# %%
def train(enc, dec, epochs=10, batch=128):
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=1e-3)
    losses, t0 = [], time.time()
    for epoch in range(epochs):
        perm = torch.randperm(len(x_all))
        for b in range(0, len(x_all), batch):
            x = x_all[perm[b:b + batch]]
            loss = torch.nn.functional.mse_loss(dec(enc(x)), x)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        print(f"epoch {epoch + 1}/{epochs}  loss {losses[-1]:.5f}  {time.time() - t0:.1f} s", flush=True)
    return losses

loss = train(enc, dec)
print("MSE after the first batch:", round(loss[0], 4), "  after the last:", round(loss[-1], 4))
plt.plot(loss); plt.xlabel("mini-batch"); plt.ylabel("MSE"); plt.title("autoencoder 784-256-20"); plt.show()
# %%
show(x10, dec(enc(x10)))
# %%
with torch.no_grad():
    plt.imshow(enc(x10)); plt.colorbar(); plt.show()
# %%
with torch.no_grad():
    h = enc(x_all[:2000])
print(int((h.max(0).values > 0).sum()), "of the 20 code units are used")
# %%
enc2 = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 2))
dec2 = torch.nn.Sequential(torch.nn.Linear(2, 256), torch.nn.ReLU(), torch.nn.Linear(256, 784), torch.nn.Sigmoid())
loss2 = train(enc2, dec2)
with torch.no_grad():
    z = enc2(x_all[:1000])
plt.scatter(z[:, 0], z[:, 1], c=ys[:1000], cmap="tab10", s=4); plt.show()
# %%
show(x10, dec(enc(x10)), dec2(enc2(x10)))
# %%
with torch.no_grad():
    hmax = h.max(0).values
    show(dec(torch.randn(10, 20)), dec(torch.rand(10, 20) * hmax), dec(enc(x10)))
