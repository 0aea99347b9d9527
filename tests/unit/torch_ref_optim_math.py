#!/usr/bin/python3
"""torch_ref_optim_math.py: the PyTorch numbers pinned in tests/unit/test_optim_more.c and
tests/unit/test_ops_math.c (run with Debian's python3-torch 1.13: /usr/bin/python3 this).

Prints C initialisers; the tests hold a copy, so they run without torch."""
import torch

torch.set_printoptions(precision=9)
W0 = [1.0, -2.0, 0.5]
G = [[0.1, -0.2, 0.0], [0.3, 0.2, -0.1], [-0.5, 0.1, 0.05], [0.2, -0.4, 0.3], [0.05, 0.05, -0.2]]


def run(make, clip=None):
    w = torch.tensor(W0, requires_grad=True)
    opt = make([w])
    rows = []
    for g in G:
        w.grad = torch.tensor(g)
        if clip is not None:
            torch.nn.utils.clip_grad_norm_([w], clip)
        opt.step()
        rows.append("{" + ", ".join("%.9gf" % v for v in w.detach().tolist()) + "}")
    return "{" + ", ".join(rows) + "}"


O = torch.optim
cases = [
    ("RMSprop lr 0.01", lambda p: O.RMSprop(p, lr=0.01)),
    ("RMSprop lr 0.01 alpha 0.9 momentum 0.9 centered weight_decay 0.1",
     lambda p: O.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.9, centered=True, weight_decay=0.1)),
    ("RMSprop lr 0.01 centered", lambda p: O.RMSprop(p, lr=0.01, centered=True)),
    ("Adagrad lr 0.1", lambda p: O.Adagrad(p, lr=0.1)),
    ("Adagrad lr 0.1 lr_decay 0.1 initial_accumulator_value 0.5 weight_decay 0.1",
     lambda p: O.Adagrad(p, lr=0.1, lr_decay=0.1, initial_accumulator_value=0.5, weight_decay=0.1)),
    ("Adadelta lr 1", lambda p: O.Adadelta(p)),
    ("Adadelta lr 0.5 rho 0.5 eps 1e-4 weight_decay 0.1",
     lambda p: O.Adadelta(p, lr=0.5, rho=0.5, eps=1e-4, weight_decay=0.1)),
    ("SGD lr 0.1 momentum 0.9 nesterov, clip_grad_norm_ 0.25",
     lambda p: O.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
]
print("/* optimizer cases: w after each step */")
for i, (name, make) in enumerate(cases):
    print("    /* %s */" % name)
    print("    %s," % run(make, 0.25 if "clip" in name else None))

print("/* schedules: lr of steps 1..12 (base 0.1) */")
def lrs(make):
    w = torch.zeros(1, requires_grad=True)
    opt = O.SGD([w], lr=0.1)
    s = make(opt)
    out = []
    for _ in range(12):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        s.step()
    return "{" + ", ".join("%.17g" % v for v in out) + "}"
print("    /* StepLR(step_size=3, gamma=0.5) */ %s," % lrs(lambda o: O.lr_scheduler.StepLR(o, 3, 0.5)))
print("    /* ExponentialLR(gamma=0.9) */ %s," % lrs(lambda o: O.lr_scheduler.ExponentialLR(o, 0.9)))
print("    /* CosineAnnealingLR(T_max=10, eta_min=0.001) */ %s," %
      lrs(lambda o: O.lr_scheduler.CosineAnnealingLR(o, 10, 0.001)))

print("/* losses */")
F = torch.nn.functional
logits = torch.tensor([[1.0, -2.0, 0.5, 3.0], [0.0, 0.25, -1.0, 2.0], [-3.0, 1.0, 1.5, 0.0]], requires_grad=True)
labels = torch.tensor([3, 0, 2])
soft = torch.tensor([[0.1, 0.2, 0.3, 0.4], [1.0, 0.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]])
for name, f in [("ce", lambda: F.cross_entropy(logits, labels)),
                ("ce ls 0.1", lambda: F.cross_entropy(logits, labels, label_smoothing=0.1)),
                ("ce ls 0.3 sum", lambda: F.cross_entropy(logits, labels, label_smoothing=0.3, reduction="sum")),
                ("ce soft", lambda: F.cross_entropy(logits, soft)),
                ("ce soft ls 0.2", lambda: F.cross_entropy(logits, soft, label_smoothing=0.2)),
                ("nll of log_softmax", lambda: F.nll_loss(F.log_softmax(logits, 1), labels))]:
    logits.grad = None
    loss = f()
    loss.backward()
    print("    /* %s */ {%.9g, {%s}}," % (name, loss.item(),
          ", ".join("%.9g" % v for v in logits.grad.flatten().tolist())))

print("/* var, std */")
x = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) ** 1.5 / 7
print("    var all %.9g, unbiased=False %.9g, std all %.9g" % (x.var().item(), x.var(unbiased=False).item(), x.std().item()))
print("    var dim (0, 2): %s" % x.var(dim=(0, 2)).tolist())
print("    std dim (1,) keepdim: %s" % x.std(dim=1, keepdim=True).flatten().tolist())
