/* bo_state.c: save/restore of a bayesopt searcher (for --resume).
 *
 * State version 2, little-endian: "HPBO", u32 version, u32 flags (bit 0:
 * multi-fidelity), u32 encoded dim, then the two RNGs (searcher, GP) each
 * as u32 seed + u64 count + records (u32 kind, i64 lo, i64 hi, u64 count),
 * u32 count + remaining initial configurations, u64 count + trials (i64 id,
 * u8 failed, configuration), u64 count + observations (u64 trial index,
 * i64 resource, f64 criterion), u64 count + pending (u64 trial index, i64
 * resource), the model (u8 fitted, u64 observation count at the last fit,
 * u64 growths, u64 refits done (version 2 only; version 1 states are
 * read with 0), u32 count + f64 theta). A configuration is u32 count of
 * (u32 length + name, u8 HPOLAB_VALUE_* type, value: int64 / IEEE double
 * bits / u8 bool / u32 length + string), hyperparameters only; constants
 * come back from the space. RNG states are rebuilt by replaying the
 * recorded draws from the seeds (the host table has no RNG state access). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bo_searcher.h"

#define STATE_VERSION 2u

static int32_t put(struct hpolab_buffer *out, const void *p, uint64_t n)
{
    return hpolab_host->buffer_append(out, p, n);
}

static int32_t put_u64(struct hpolab_buffer *out, uint64_t v, int bytes)
{
    unsigned char b[8];
    for (int i = 0; i < bytes; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    return put(out, b, (uint64_t)bytes);
}

static int32_t put_f64(struct hpolab_buffer *out, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return put_u64(out, bits, 8);
}

static int is_hyperparameter(const struct hpolab_space *space,
                             const char *name)
{
    uint32_t n = hpolab_host->space_count(space);
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(hpolab_host->space_name(space, i), name) == 0)
            return strcmp(hpolab_host->space_domain(space, i), "constant") != 0;
    return 0;
}

static int32_t put_config(const struct bo_searcher *s, struct hpolab_ctx *ctx,
                          struct hpolab_buffer *out,
                          const struct hpolab_config *c)
{
    uint32_t n = hpolab_host->config_count(c), hp = 0;
    for (uint32_t i = 0; i < n; i++)
        hp += is_hyperparameter(s->space, hpolab_host->config_name(c, i));
    int32_t st = put_u64(out, hp, 4);
    for (uint32_t i = 0; i < n && st == HPOLAB_OK; i++) {
        const char *name = hpolab_host->config_name(c, i);
        if (!is_hyperparameter(s->space, name))
            continue;
        int32_t type = hpolab_host->config_type(c, i);
        uint64_t len = strlen(name);
        unsigned char t = (unsigned char)type;
        st = put_u64(out, len, 4);
        if (st == HPOLAB_OK)
            st = put(out, name, len);
        if (st == HPOLAB_OK)
            st = put(out, &t, 1);
        if (st != HPOLAB_OK)
            break;
        int64_t iv = 0;
        double dv = 0;
        const char *sv;
        switch (type) {
        case HPOLAB_VALUE_INT:
        case HPOLAB_VALUE_BOOL:
            hpolab_host->config_get_int(c, i, &iv);
            st = put_u64(out, (uint64_t)iv, type == HPOLAB_VALUE_BOOL ? 1 : 8);
            break;
        case HPOLAB_VALUE_DOUBLE:
            hpolab_host->config_get_double(c, i, &dv);
            st = put_f64(out, dv);
            break;
        case HPOLAB_VALUE_STRING:
            sv = hpolab_host->config_get_string(c, i);
            len = strlen(sv);
            st = put_u64(out, len, 4);
            if (st == HPOLAB_OK)
                st = put(out, sv, len);
            break;
        default:
            return hpolab_set_error(ctx, HPOLAB_ERR_UNSUPPORTED,
                                    "save: hyperparameter '%s' has a value "
                                    "of type %d",
                                    name, type);
        }
    }
    return st;
}

static int32_t put_rng(struct hpolab_buffer *out, const struct bo_rng *g)
{
    int32_t st = put_u64(out, g->seed, 4);
    if (st == HPOLAB_OK)
        st = put_u64(out, g->nops, 8);
    for (size_t i = 0; st == HPOLAB_OK && i < g->nops; i++) {
        const struct bo_rng_op *op = &g->ops[i];
        st = put_u64(out, op->kind, 4);
        if (st == HPOLAB_OK)
            st = put_u64(out, (uint64_t)op->lo, 8);
        if (st == HPOLAB_OK)
            st = put_u64(out, (uint64_t)op->hi, 8);
        if (st == HPOLAB_OK)
            st = put_u64(out, op->count, 8);
    }
    return st;
}

int32_t bo_save(struct bo_searcher *s, struct hpolab_ctx *ctx,
                struct hpolab_buffer *out)
{
    if (s->rng.log_failed || s->gp_rng.log_failed)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                                "save: a random draw could not be recorded "
                                "(out of memory earlier), the state cannot "
                                "be saved");
    int32_t st = put(out, "HPBO", 4);
    if (st == HPOLAB_OK)
        st = put_u64(out, STATE_VERSION, 4);
    if (st == HPOLAB_OK)
        st = put_u64(out, s->mf ? 1u : 0u, 4);
    if (st == HPOLAB_OK)
        st = put_u64(out, s->d, 4);
    if (st == HPOLAB_OK)
        st = put_rng(out, &s->rng);
    if (st == HPOLAB_OK)
        st = put_rng(out, &s->gp_rng);
    if (st == HPOLAB_OK)
        st = put_u64(out, s->ninitial - s->next_initial, 4);
    for (size_t i = s->next_initial; st == HPOLAB_OK && i < s->ninitial; i++)
        st = put_config(s, ctx, out, s->initial[i]);
    if (st == HPOLAB_OK)
        st = put_u64(out, s->ntrials, 8);
    for (size_t i = 0; st == HPOLAB_OK && i < s->ntrials; i++) {
        unsigned char f = (unsigned char)s->trials[i].failed;
        st = put_u64(out, (uint64_t)s->trials[i].id, 8);
        if (st == HPOLAB_OK)
            st = put(out, &f, 1);
        if (st == HPOLAB_OK)
            st = put_config(s, ctx, out, s->trials[i].config);
    }
    if (st == HPOLAB_OK)
        st = put_u64(out, s->nobs, 8);
    for (size_t i = 0; st == HPOLAB_OK && i < s->nobs; i++) {
        st = put_u64(out, s->obs[i].trial, 8);
        if (st == HPOLAB_OK)
            st = put_u64(out, (uint64_t)s->obs[i].r, 8);
        if (st == HPOLAB_OK)
            st = put_f64(out, s->obs[i].y);
    }
    if (st == HPOLAB_OK)
        st = put_u64(out, s->npend, 8);
    for (size_t i = 0; st == HPOLAB_OK && i < s->npend; i++) {
        st = put_u64(out, s->pend[i].trial, 8);
        if (st == HPOLAB_OK)
            st = put_u64(out, (uint64_t)s->pend[i].r, 8);
    }
    unsigned char fitted = (unsigned char)s->fitted;
    if (st == HPOLAB_OK)
        st = put(out, &fitted, 1);
    if (st == HPOLAB_OK)
        st = put_u64(out, s->fit_nobs, 8);
    if (st == HPOLAB_OK)
        st = put_u64(out, s->growths, 8);
    if (st == HPOLAB_OK)
        st = put_u64(out, s->fits, 8);
    if (st == HPOLAB_OK)
        st = put_u64(out, s->model.np, 4);
    for (size_t i = 0; st == HPOLAB_OK && i < s->model.np; i++)
        st = put_f64(out, s->model.theta[i]);
    if (st != HPOLAB_OK && st != HPOLAB_ERR_UNSUPPORTED)
        return hpolab_set_error(ctx, st, "save: out of memory");
    return st;
}

/* ---- restore -------------------------------------------------------------- */

struct reader {
    const unsigned char *p;
    uint64_t size, pos;
};

static int get_u64(struct reader *r, int bytes, uint64_t *v)
{
    if (r->size - r->pos < (uint64_t)bytes)
        return 0;
    *v = 0;
    for (int i = 0; i < bytes; i++)
        *v |= (uint64_t)r->p[r->pos + (uint64_t)i] << (8 * i);
    r->pos += (uint64_t)bytes;
    return 1;
}

static int get_f64(struct reader *r, double *d)
{
    uint64_t bits;
    if (!get_u64(r, 8, &bits))
        return 0;
    memcpy(d, &bits, sizeof *d);
    return 1;
}

/* A NUL-terminated copy of a u32-length-prefixed string, or NULL. */
static char *get_string(struct reader *r)
{
    uint64_t len;
    if (!get_u64(r, 4, &len) || r->size - r->pos < len)
        return NULL;
    char *s = malloc(len + 1);
    if (!s)
        return NULL;
    memcpy(s, r->p + r->pos, len);
    s[len] = '\0';
    r->pos += len;
    return s;
}

static int32_t damaged(struct hpolab_ctx *ctx, const struct reader *r)
{
    return hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                            "restore: bayesopt searcher state truncated or "
                            "damaged at byte %llu of %llu",
                            (unsigned long long)r->pos,
                            (unsigned long long)r->size);
}

/* A saved configuration completed with the space's constants.
 * *out [owned: config_free]. */
static int32_t get_config(const struct bo_searcher *s, struct hpolab_ctx *ctx,
                          struct reader *r, struct hpolab_config **out)
{
    uint64_t n;
    if (!get_u64(r, 4, &n))
        return damaged(ctx, r);
    struct hpolab_config *c;
    int32_t st = hpolab_host->config_new(ctx, &c);
    for (uint64_t i = 0; st == HPOLAB_OK && i < n; i++) {
        char *name = get_string(r);
        uint64_t type, v;
        if (!name || !get_u64(r, 1, &type)) {
            free(name);
            st = damaged(ctx, r);
            break;
        }
        switch (type) {
        case HPOLAB_VALUE_INT:
            st = get_u64(r, 8, &v)
                     ? hpolab_host->config_set_int(ctx, c, name, (int64_t)v)
                     : damaged(ctx, r);
            break;
        case HPOLAB_VALUE_BOOL:
            st = get_u64(r, 1, &v)
                     ? hpolab_host->config_set_bool(ctx, c, name, v != 0)
                     : damaged(ctx, r);
            break;
        case HPOLAB_VALUE_DOUBLE: {
            double d;
            st = get_f64(r, &d)
                     ? hpolab_host->config_set_double(ctx, c, name, d)
                     : damaged(ctx, r);
            break;
        }
        case HPOLAB_VALUE_STRING: {
            char *sv = get_string(r);
            st = sv ? hpolab_host->config_set_string(ctx, c, name, sv)
                    : damaged(ctx, r);
            free(sv);
            break;
        }
        default: st = damaged(ctx, r); break;
        }
        free(name);
    }
    struct hpolab_config *full = NULL;
    if (st == HPOLAB_OK)
        st = hpolab_host->space_default_config(ctx, s->space, c, &full);
    hpolab_host->config_free(c);
    if (st == HPOLAB_OK)
        *out = full;
    return st;
}

static int32_t get_rng(struct bo_searcher *s, struct hpolab_ctx *ctx,
                       struct reader *r, struct bo_rng *g)
{
    uint64_t seed, n;
    if (!get_u64(r, 4, &seed) || !get_u64(r, 8, &n) ||
        n > (r->size - r->pos) / 28)
        return damaged(ctx, r);
    struct bo_rng_op *ops = malloc((n ? n : 1) * sizeof *ops);
    if (!ops)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    for (uint64_t i = 0; i < n; i++) {
        uint64_t kind, lo, hi, count;
        if (!get_u64(r, 4, &kind) || !get_u64(r, 8, &lo) ||
            !get_u64(r, 8, &hi) || !get_u64(r, 8, &count)) {
            free(ops);
            return damaged(ctx, r);
        }
        ops[i] = (struct bo_rng_op){(uint32_t)kind, (int64_t)lo, (int64_t)hi,
                                    count};
    }
    int32_t st = bo_rng_replay(g, ctx, s->space, (uint32_t)seed, ops, n);
    free(ops);
    return st;
}

/* Everything after the header, into fresh (whose option fields are s's). */
static int32_t read_body(struct bo_searcher *f, struct hpolab_ctx *ctx,
                         struct reader *r, uint64_t version)
{
    int32_t st = get_rng(f, ctx, r, &f->rng);
    if (st == HPOLAB_OK)
        st = get_rng(f, ctx, r, &f->gp_rng);
    if (st == HPOLAB_OK)
        st = hpolab_host->config_set_create(ctx, f->space, &f->excluded);
    if (st == HPOLAB_OK && bo_model_init(&f->model, f->mf, f->d) != 0)
        st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    uint64_t n = 0;
    if (st == HPOLAB_OK && !get_u64(r, 4, &n))
        st = damaged(ctx, r);
    if (st == HPOLAB_OK && n > r->size - r->pos)
        st = damaged(ctx, r);
    if (st == HPOLAB_OK && n &&
        !(f->initial = calloc((size_t)n, sizeof *f->initial)))
        st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    for (uint64_t i = 0; st == HPOLAB_OK && i < n; i++) {
        st = get_config(f, ctx, r, &f->initial[i]);
        if (st == HPOLAB_OK)
            f->ninitial++;
    }
    if (st == HPOLAB_OK && !get_u64(r, 8, &n))
        st = damaged(ctx, r);
    for (uint64_t i = 0; st == HPOLAB_OK && i < n; i++) {
        uint64_t id, failed;
        struct hpolab_config *c = NULL;
        size_t idx;
        if (!get_u64(r, 8, &id) || !get_u64(r, 1, &failed)) {
            st = damaged(ctx, r);
            break;
        }
        st = get_config(f, ctx, r, &c);
        if (st == HPOLAB_OK)
            st = bo_add_trial(f, ctx, (int64_t)id, c, &idx);
        if (st == HPOLAB_OK && failed) {
            int32_t added;
            f->trials[idx].failed = 1;
            if (f->o.allow_duplicates)
                st = hpolab_host->config_set_add(ctx, f->excluded, c, &added);
        }
        if (c)
            hpolab_host->config_free(c);
    }
    if (st == HPOLAB_OK && !get_u64(r, 8, &n))
        st = damaged(ctx, r);
    for (uint64_t i = 0; st == HPOLAB_OK && i < n; i++) {
        uint64_t t, res;
        double y;
        if (!get_u64(r, 8, &t) || !get_u64(r, 8, &res) || !get_f64(r, &y) ||
            t >= f->ntrials)
            st = damaged(ctx, r);
        else
            st = bo_set_obs(f, ctx, (size_t)t, (int64_t)res, y);
    }
    if (st == HPOLAB_OK && !get_u64(r, 8, &n))
        st = damaged(ctx, r);
    for (uint64_t i = 0; st == HPOLAB_OK && i < n; i++) {
        uint64_t t, res;
        if (!get_u64(r, 8, &t) || !get_u64(r, 8, &res) || t >= f->ntrials)
            st = damaged(ctx, r);
        else
            st = bo_add_pending(f, ctx, (size_t)t, (int64_t)res);
    }
    uint64_t fitted = 0, fit_nobs = 0, growths = 0, fits = 0, np = 0;
    if (st == HPOLAB_OK &&
        (!get_u64(r, 1, &fitted) || !get_u64(r, 8, &fit_nobs) ||
         !get_u64(r, 8, &growths) ||
         (version >= 2 && !get_u64(r, 8, &fits)) || !get_u64(r, 4, &np) ||
         np != f->model.np))
        st = damaged(ctx, r);
    for (uint64_t i = 0; st == HPOLAB_OK && i < np; i++)
        if (!get_f64(r, &f->model.theta[i]) || !isfinite(f->model.theta[i]))
            st = damaged(ctx, r);
    if (st == HPOLAB_OK && r->pos != r->size)
        st = damaged(ctx, r);
    if (st == HPOLAB_OK) {
        f->fitted = fitted != 0;
        f->fit_nobs = fit_nobs;
        f->growths = growths;
        f->fits = fits;
    }
    return st;
}

int32_t bo_restore(struct bo_searcher *s, struct hpolab_ctx *ctx,
                   const void *data, uint64_t size)
{
    struct reader r = {data, size, 0};
    uint64_t version, flags, d;
    if (size < 4 || memcmp(data, "HPBO", 4) != 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                "restore: not a bayesopt searcher state");
    r.pos = 4;
    if (!get_u64(&r, 4, &version))
        return damaged(ctx, &r);
    if (version < 1 || version > STATE_VERSION)
        return hpolab_set_error(ctx, HPOLAB_ERR_UNSUPPORTED,
                                "restore: state version %llu, this searcher "
                                "reads versions 1 to %u",
                                (unsigned long long)version, STATE_VERSION);
    if (!get_u64(&r, 4, &flags) || !get_u64(&r, 4, &d))
        return damaged(ctx, &r);
    if ((flags & 1u) != (s->mf ? 1u : 0u) || d != s->d)
        return hpolab_set_error(
            ctx, HPOLAB_ERR_INVALID,
            "restore: the state is of a %s searcher with %llu encoded "
            "dimensions; this one is %s with %zu",
            (flags & 1u) ? "multi-fidelity" : "single-fidelity",
            (unsigned long long)d, s->mf ? "multi-fidelity" : "single-fidelity",
            s->d);
    /* build aside, then swap: a failed restore changes nothing */
    struct bo_searcher fresh = *s;
    memset(&fresh.rng, 0, sizeof fresh.rng);
    memset(&fresh.gp_rng, 0, sizeof fresh.gp_rng);
    fresh.initial = NULL;
    fresh.ninitial = fresh.next_initial = 0;
    fresh.trials = NULL;
    fresh.ntrials = fresh.cap_trials = 0;
    fresh.obs = NULL;
    fresh.nobs = fresh.cap_obs = 0;
    fresh.pend = NULL;
    fresh.npend = fresh.cap_pend = 0;
    fresh.excluded = NULL;
    memset(&fresh.model, 0, sizeof fresh.model);
    memset(&fresh.ws, 0, sizeof fresh.ws);
    fresh.fitted = 0;
    fresh.fit_nobs = fresh.growths = fresh.fits = 0;
    int32_t st = read_body(&fresh, ctx, &r, version);
    if (st != HPOLAB_OK) {
        bo_release_state(&fresh);
        return st;
    }
    bo_release_state(s);
    *s = fresh; /* the option fields are the same pointers */
    return HPOLAB_OK;
}
