/* test_optim_more.c: RMSprop, Adagrad, Adadelta, gradient clipping and learning-rate
 * schedules against PyTorch 1.13 (Debian's python3-torch; the numbers come from
 * tests/unit/torch_ref_optim_math.py and are pinned here), and by hand. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lr_sched.h"
#include "optim.h"

/* Five steps on w0 = [1, -2, 0.5] with these gradients (test_optim.c's). */
static const float W0[3] = { 1.0f, -2.0f, 0.5f };
static const float G[5][3] = { { 0.1f, -0.2f, 0.0f }, { 0.3f, 0.2f, -0.1f }, { -0.5f, 0.1f, 0.05f },
                               { 0.2f, -0.4f, 0.3f }, { 0.05f, 0.05f, -0.2f } };

#define NCASES 8
/* w after each step, from torch_ref_optim_math.py */
static const float TORCH[NCASES][5][3] = {
    /* RMSprop lr 0.01 */
    {{0.900000095f, -1.9000001f, 0.5f}, {0.805084348f, -1.97088814f, 0.599999905f}, {0.889732778f, -2.00444508f, 0.555098653f}, {0.857517123f, -1.92410958f, 0.461291879f}, {0.849449039f, -1.93415105f, 0.514506459f}},
    /* RMSprop lr 0.01 alpha 0.9 momentum 0.9 centered weight_decay 0.1 */
    {{0.966666698f, -1.9666667f, 0.466666698f}, {0.905316293f, -1.9369576f, 0.460312098f}, {0.872291982f, -1.90170836f, 0.42798245f}, {0.827740073f, -1.83971047f, 0.366507143f}, {0.780501187f, -1.7766819f, 0.325038344f}},
    /* RMSprop lr 0.01 centered */
    {{0.899496317f, -1.89949632f, 0.5f}, {0.803815126f, -1.97038448f, 0.600503683f}, {0.888476908f, -2.00396109f, 0.55555886f}, {0.856257379f, -1.92348027f, 0.46146068f}, {0.848187089f, -1.93353403f, 0.51467979f}},
    /* Adagrad lr 0.1 */
    {{0.899999976f, -1.89999998f, 0.5f}, {0.805131674f, -1.97071064f, 0.600000024f}, {0.889647126f, -2.00404406f, 0.555278659f}, {0.857621491f, -1.92404401f, 0.461574405f}, {0.849640608f, -1.93399441f, 0.514555693f}},
    /* Adagrad lr 0.1 lr_decay 0.1 initial_accumulator_value 0.5 weight_decay 0.1 */
    {{0.972783446f, -1.95076334f, 0.492946535f}, {0.929549277f, -1.95131433f, 0.499432653f}, {0.966052055f, -1.9416225f, 0.487827688f}, {0.942661881f, -1.89641464f, 0.454204321f}, {0.932211399f, -1.8866415f, 0.467789114f}},
    /* Adadelta lr 1 */
    {{0.996839285f, -1.99683809f, 0.5f}, {0.99257654f, -2.00008202f, 0.503160715f}, {0.997810721f, -2.00202227f, 0.501076996f}, {0.995133758f, -1.99735928f, 0.496502697f}, {0.994419992f, -1.99813807f, 0.500132382f}},
    /* Adadelta lr 0.5 rho 0.5 eps 1e-4 weight_decay 0.1 */
    {{0.992946565f, -1.99293339f, 0.493195862f}, {0.983537316f, -1.99295831f, 0.501041234f}, {0.993780613f, -1.98911572f, 0.490492493f}, {0.984395504f, -1.98061907f, 0.476570666f}, {0.978299856f, -1.97688842f, 0.48580265f}},
    /* SGD lr 0.1 momentum 0.9 nesterov, clip_grad_norm_ 0.25 */
    {{0.981000006f, -1.96200001f, 0.5f}, {0.934815407f, -1.97118974f, 0.512694895f}, {0.957644522f, -1.97670484f, 0.513471425f}, {0.938591957f, -1.94199479f, 0.489904523f}, {0.920300961f, -1.93696833f, 0.519228697f}},
};

static optim_opts case_opts(int c, optim_kind *kind)
{
    static const optim_kind kinds[NCASES] = { OPTIM_RMSPROP, OPTIM_RMSPROP, OPTIM_RMSPROP, OPTIM_ADAGRAD,
                                              OPTIM_ADAGRAD, OPTIM_ADADELTA, OPTIM_ADADELTA, OPTIM_SGD };
    *kind = kinds[c];
    optim_opts o = optim_defaults(*kind);
    switch (c) {
    case 0: o.lr = 0.01; break;
    case 1: o.lr = 0.01; o.alpha = 0.9; o.momentum = 0.9; o.centered = 1; o.weight_decay = 0.1; break;
    case 2: o.lr = 0.01; o.centered = 1; break;
    case 3: o.lr = 0.1; break;
    case 4: o.lr = 0.1; o.lr_decay = 0.1; o.init_acc = 0.5; o.weight_decay = 0.1; break;
    case 5: break;
    case 6: o.lr = 0.5; o.rho = 0.5; o.eps = 1e-4; o.weight_decay = 0.1; break;
    default: o.lr = 0.1; o.momentum = 0.9; o.nesterov = 1; o.clip = 0.25; break;
    }
    return o;
}

static void test_against_torch(void)
{
    for (int c = 0; c < NCASES; c++) {
        float w[3], g[3];
        memcpy(w, W0, sizeof w);
        lt_param p = { .w = w, .g = g, .n = 3, .name = "w" };
        optim_kind kind;
        optim_opts o = case_opts(c, &kind);
        optim *opt = optim_new(kind, &p, 1, &o);
        CHECK(opt != NULL);
        if (!opt) continue;
        for (int t = 0; t < 5; t++) {
            memcpy(g, G[t], sizeof g);
            optim_step(opt);
            /* bit for bit, but for the clipped case: torch scales by a float coefficient
             * from a float norm, optim_clip_grad_norm from a double one (0.5 ulp apart) */
            for (int i = 0; i < 3; i++) CHECK_NEAR(w[i], TORCH[c][t][i], c == 7 ? 1.2e-7 : 0.0);
        }
        CHECK(opt->step == 5);
        optim_free(opt);
    }
}

/* the state each kind keeps, and PyTorch's defaults */
static void test_defaults_and_state(void)
{
    optim_opts r = optim_defaults(OPTIM_RMSPROP), a = optim_defaults(OPTIM_ADAGRAD), d = optim_defaults(OPTIM_ADADELTA);
    CHECK(r.lr == 0.01 && r.alpha == 0.99 && r.eps == 1e-8 && r.momentum == 0 && !r.centered);
    CHECK(a.lr == 0.01 && a.lr_decay == 0 && a.init_acc == 0 && a.eps == 1e-10);
    CHECK(d.lr == 1.0 && d.rho == 0.9 && d.eps == 1e-6);
    CHECK(optim_nstate(OPTIM_RMSPROP, &r) == 1 && optim_nstate(OPTIM_ADAGRAD, &a) == 1 &&
          optim_nstate(OPTIM_ADADELTA, &d) == 2);
    r.momentum = 0.9;
    r.centered = 1;
    CHECK(optim_nstate(OPTIM_RMSPROP, &r) == 3);
    CHECK(strcmp(optim_name(OPTIM_RMSPROP), "RMSprop") == 0 && strcmp(optim_name(OPTIM_ADADELTA), "Adadelta") == 0);
}

static void test_bad_hyperparameters(void)
{
    float w = 0, g = 0;
    lt_param p = { .w = &w, .g = &g, .n = 1, .name = "w" };
    optim_opts o = optim_defaults(OPTIM_RMSPROP);
    o.alpha = 1.5;
    CHECK(optim_new(OPTIM_RMSPROP, &p, 1, &o) == NULL && strstr(lt_errmsg(), "alpha must be in [0, 1], got 1.5"));
    o = optim_defaults(OPTIM_ADAGRAD);
    o.lr_decay = -1;
    CHECK(optim_new(OPTIM_ADAGRAD, &p, 1, &o) == NULL && strstr(lt_errmsg(), "lr_decay"));
    o = optim_defaults(OPTIM_ADADELTA);
    o.rho = NAN;
    CHECK(optim_new(OPTIM_ADADELTA, &p, 1, &o) == NULL && strstr(lt_errmsg(), "rho"));
    o = optim_defaults(OPTIM_ADAM);
    o.clip = -1;
    CHECK(optim_new(OPTIM_ADAM, &p, 1, &o) == NULL && strstr(lt_errmsg(), "clip must be >= 0"));
    o.clip = 0;
    o.sched = (optim_sched){ .kind = SCHED_COSINE, .steps = 10, .warmup = 10 };
    CHECK(optim_new(OPTIM_ADAM, &p, 1, &o) == NULL && strstr(lt_errmsg(), "steps (10) must be more than warmup (10)"));
    o.sched = (optim_sched){ .kind = SCHED_STEP, .every = 0, .gamma = 0.5 };
    CHECK(optim_new(OPTIM_ADAM, &p, 1, &o) == NULL && strstr(lt_errmsg(), "every must be >= 1"));
    o.sched = (optim_sched){ .kind = SCHED_EXP, .gamma = 0 };
    CHECK(optim_new(OPTIM_ADAM, &p, 1, &o) == NULL && strstr(lt_errmsg(), "gamma must be in (0, 1]"));
}

/* lr of steps 1..12 from base 0.1, from torch.optim.lr_scheduler (torch_ref_optim_math.py) */
static const double TORCH_LR[3][12] = {
    /* StepLR(step_size=3, gamma=0.5) */ {0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.050000000000000003, 0.050000000000000003, 0.050000000000000003, 0.025000000000000001, 0.025000000000000001, 0.025000000000000001, 0.012500000000000001, 0.012500000000000001, 0.012500000000000001},
    /* ExponentialLR(gamma=0.9) */ {0.10000000000000001, 0.090000000000000011, 0.081000000000000016, 0.07290000000000002, 0.065610000000000016, 0.059049000000000018, 0.05314410000000002, 0.047829690000000022, 0.043046721000000024, 0.03874204890000002, 0.034867844010000017, 0.031381059609000013},
    /* CosineAnnealingLR(T_max=10, eta_min=0.001) */ {0.10000000000000001, 0.097577297556610113, 0.090546341221559898, 0.079595369988477424, 0.065796341221559904, 0.050500000000000003, 0.03520365877844011, 0.021404630011522589, 0.010453658778440109, 0.0034227024433899004, 0.001, 0.0034227024433899004},
};

static void test_schedules_against_torch(void)
{
    optim_sched s[3] = { { .kind = SCHED_STEP, .every = 3, .gamma = 0.5 },
                         { .kind = SCHED_EXP, .gamma = 0.9 },
                         { .kind = SCHED_COSINE, .steps = 10, .min_lr = 0.001 } };
    for (int c = 0; c < 3; c++) {
        CHECK(sched_check(&s[c]) == LT_OK);
        /* CosineAnnealingLR climbs again after T_max (a cycle); ours stays at min_lr */
        for (int k = 0; k < (c == 2 ? 11 : 12); k++)
            CHECK_NEAR(sched_lr(&s[c], 0.1, k), TORCH_LR[c][k], 1e-15);
    }
    CHECK(sched_lr(&s[2], 0.1, 11) == 0.001 && sched_lr(&s[2], 0.1, 1000) == 0.001);
}

/* warm-up: (k + 1) / warmup of the base, then the curve from the base */
static void test_warmup(void)
{
    optim_sched w = { .kind = SCHED_CONSTANT, .warmup = 4 };
    CHECK(sched_lr(&w, 1.0, 0) == 0.25 && sched_lr(&w, 1.0, 3) == 1.0 && sched_lr(&w, 1.0, 99) == 1.0);
    optim_sched c = { .kind = SCHED_COSINE, .warmup = 10, .steps = 110 };
    CHECK(sched_lr(&c, 2.0, 0) == 0.2 && sched_lr(&c, 2.0, 9) == 2.0 && sched_lr(&c, 2.0, 10) == 2.0);
    CHECK_NEAR(sched_lr(&c, 2.0, 60), 1.0, 1e-15);   /* halfway down the cosine */
    CHECK(sched_lr(&c, 2.0, 110) == 0.0);
    optim_sched e = { .kind = SCHED_EXP, .warmup = 2, .gamma = 0.5 };
    CHECK(sched_lr(&e, 1.0, 0) == 0.5 && sched_lr(&e, 1.0, 2) == 1.0 && sched_lr(&e, 1.0, 4) == 0.25);
    optim_sched none = { 0 };
    CHECK(sched_lr(&none, 0.3, 12345) == 0.3);
}

/* an optimizer with a schedule steps with the scheduled rate; optim_lr says the next one;
 * set_lr moves the base and keeps the moments and the step count */
static void test_schedule_in_optimizer(void)
{
    float w = 0, g = 0;
    lt_param p = { .w = &w, .g = &g, .n = 1, .name = "w" };
    optim_opts o = optim_defaults(OPTIM_SGD);
    o.lr = 1.0;
    o.sched = (optim_sched){ .kind = SCHED_STEP, .every = 2, .gamma = 0.5 };
    optim *opt = optim_new(OPTIM_SGD, &p, 1, &o);
    CHECK(opt && optim_lr(opt) == 1.0);
    float want = 0;
    double rates[5] = { 1.0, 1.0, 0.5, 0.5, 0.25 };
    for (int t = 0; opt && t < 5; t++) {
        CHECK(optim_lr(opt) == rates[t]);
        g = 1.0f;
        optim_step(opt);
        want -= (float)rates[t];
        CHECK(w == want);
    }
    if (opt) {
        CHECK(opt->o.lr == 1.0);   /* the base is kept */
        optim_set_lr(opt, 4.0);
        CHECK(optim_lr(opt) == 1.0 && opt->step == 5);   /* 4 * 0.5^2 */
    }
    optim_free(opt);

    /* Adam's moments survive set_lr: two runs, one at lr 0.1 throughout, one changing the
     * rate to 0.1 after two steps at 0.1 too, agree exactly */
    float w1[3], w2[3], g1[3], g2[3];
    memcpy(w1, W0, sizeof w1);
    memcpy(w2, W0, sizeof w2);
    lt_param p1 = { .w = w1, .g = g1, .n = 3, .name = "w" }, p2 = { .w = w2, .g = g2, .n = 3, .name = "w" };
    optim_opts a = optim_defaults(OPTIM_ADAM);
    a.lr = 0.1;
    optim *o1 = optim_new(OPTIM_ADAM, &p1, 1, &a);
    a.lr = 0.3;
    optim *o2 = optim_new(OPTIM_ADAM, &p2, 1, &a);
    for (int t = 0; o1 && o2 && t < 5; t++) {
        if (t == 0) optim_set_lr(o2, 0.1);
        memcpy(g1, G[t], sizeof g1);
        memcpy(g2, G[t], sizeof g2);
        optim_step(o1);
        optim_step(o2);
    }
    CHECK(memcmp(w1, w2, sizeof w1) == 0);
    optim_free(o1);
    optim_free(o2);
}

/* clip_grad_norm_: scaled by max / (norm + 1e-6) when that is below 1, else untouched */
static void test_clip(void)
{
    float w[4] = { 0 }, g[4] = { 3, 0, 0, 0 }, g2[1] = { 4 }, w2[1] = { 0 };
    lt_param p[2] = { { .w = w, .g = g, .n = 4, .name = "a" }, { .w = w2, .g = g2, .n = 1, .name = "b" } };
    optim_opts o = optim_defaults(OPTIM_SGD);
    optim *opt = optim_new(OPTIM_SGD, p, 2, &o);
    CHECK(opt != NULL);
    if (!opt) return;
    CHECK(optim_clip_grad_norm(opt, 10.0) == 5.0 && g[0] == 3.0f && g2[0] == 4.0f);
    CHECK(optim_clip_grad_norm(opt, 1.0) == 5.0);
    CHECK_NEAR(g[0], 3.0 / (5.0 + 1e-6), 1e-7);
    CHECK_NEAR(g2[0], 4.0 / (5.0 + 1e-6), 1e-7);
    g[1] = INFINITY;
    CHECK(isinf(optim_clip_grad_norm(opt, 1.0)) && g[0] == 0.0f && isnan(g[1]));   /* as PyTorch */
    optim_free(opt);
}

int main(void)
{
    RUN(test_against_torch);
    RUN(test_defaults_and_state);
    RUN(test_bad_hyperparameters);
    RUN(test_schedules_against_torch);
    RUN(test_warmup);
    RUN(test_schedule_in_optimizer);
    RUN(test_clip);
    return check_summary("optim_more");
}
