/* aws_endpoint.c: endpoint resolution (aws_endpoint.h). */
#include "aws_endpoint.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *service;  /* signing name */
    const char *env;      /* its AWS_ENDPOINT_URL_<SERVICE> */
    const char *cfg;      /* key in [services x] */
    const char *prefix;   /* default host prefix */
} services[] = {
    {HPOLAB_AWS_S3, "AWS_ENDPOINT_URL_S3", "s3", "s3"},
    {HPOLAB_AWS_SAGEMAKER, "AWS_ENDPOINT_URL_SAGEMAKER", "sagemaker",
     "api.sagemaker"},
    {HPOLAB_AWS_STS, "AWS_ENDPOINT_URL_STS", "sts", "sts"},
    {HPOLAB_AWS_LOGS, "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "cloudwatch_logs",
     "logs"},
};

static int truthy(const char *v)
{
    return v && strcasecmp(v, "true") == 0;
}

void hpolab_aws_endpoint_free(struct hpolab_aws_endpoint *e)
{
    if (!e)
        return;
    free(e->base);
    free(e->host);
    free(e->prefix);
    memset(e, 0, sizeof *e);
}

static int is_ip_or_localhost(const char *host, size_t n)
{
    if (n == 9 && strncasecmp(host, "localhost", 9) == 0)
        return 1;
    if (n > 0 && host[0] == '[')
        return 1; /* IPv6 literal */
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)host[i]) && host[i] != '.')
            return 0;
    return n > 0;
}

/* Splits url into base/host/prefix; checks the scheme. */
static int32_t split_url(const char *url, const char *source,
                         struct hpolab_aws_endpoint *out, int *ip_host,
                         struct hpolab_error *err)
{
    const char *hs = strstr(url, "://");
    if (!hs || !((hs - url == 4 && strncasecmp(url, "http", 4) == 0) ||
                 (hs - url == 5 && strncasecmp(url, "https", 5) == 0)))
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "%s '%s': expected an http:// or https:// URL",
                                source, url);
    hs += 3;
    size_t hl = strcspn(hs, "/?#");
    if (hl == 0)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "%s '%s': expected a host after '://'",
                                source, url);
    size_t name_len = hl;
    const char *colon = memchr(hs, ':', hl);
    if (hs[0] == '[') {
        const char *close = memchr(hs, ']', hl);
        name_len = close ? (size_t)(close - hs + 1) : hl;
    } else if (colon) {
        name_len = (size_t)(colon - hs);
    }
    *ip_host = is_ip_or_localhost(hs, name_len);
    const char *path = hs + hl;
    size_t pl = strcspn(path, "?#");
    while (pl > 0 && path[pl - 1] == '/')
        pl--;
    out->host = strndup(hs, hl);
    out->prefix = strndup(path, pl);
    out->base = strndup(url, (size_t)(path - url) + pl);
    if (!out->host || !out->prefix || !out->base)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    return HPOLAB_OK;
}

int32_t hpolab_aws_endpoint_resolve(const struct hpolab_aws_profile *p,
                                    const char *service, const char *region,
                                    const char *bucket,
                                    struct hpolab_aws_endpoint *out,
                                    const char **source,
                                    struct hpolab_error *err)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    while (i < sizeof services / sizeof services[0] &&
           strcmp(services[i].service, service) != 0)
        i++;
    if (i == sizeof services / sizeof services[0])
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "AWS endpoint: unknown service '%s'", service);
    const char *url = NULL, *src = NULL;
    int ignore = truthy(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) ||
                 (p && truthy(hpolab_aws_profile_get(
                           p, "ignore_configured_endpoint_urls")));
    if (!ignore) {
        const char *v = getenv(services[i].env);
        if (v && v[0]) {
            url = v;
            src = services[i].env;
        } else if ((v = getenv("AWS_ENDPOINT_URL")) && v[0]) {
            url = v;
            src = "AWS_ENDPOINT_URL";
        } else if (p) {
            const char *sname = hpolab_aws_profile_get(p, "services");
            json_t *ssec = NULL;
            if (sname) {
                char sec[300];
                snprintf(sec, sizeof sec, "services %s", sname);
                ssec = json_object_get(p->config_root, sec);
            }
            v = json_string_value(json_object_get(
                json_object_get(ssec, services[i].cfg), "endpoint_url"));
            if (v && v[0]) {
                url = v;
                src = "the profile's services section (endpoint_url)";
            } else if ((v = hpolab_aws_profile_get(p, "endpoint_url")) &&
                       v[0]) {
                url = v;
                src = "the profile's endpoint_url";
            }
        }
    }
    const char *style =
        p ? hpolab_aws_profile_sub(p, "s3", "addressing_style") : NULL;
    int ip = 0;
    int32_t st;
    if (url) {
        st = split_url(url, src, out, &ip, err);
        out->overridden = 1;
        /* an override is a local server or a gateway: path style unless
         * the profile asks for virtual hosts */
        out->path_style = !(style && strcmp(style, "virtual") == 0);
    } else {
        const char *suffix =
            strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
        int path_style = bucket && (strchr(bucket, '.') ||
                                    (style && strcmp(style, "path") == 0));
        char buf[512];
        if (strcmp(service, HPOLAB_AWS_S3) == 0 && bucket && !path_style)
            snprintf(buf, sizeof buf, "https://%s.s3.%s.%s", bucket, region,
                     suffix);
        else
            snprintf(buf, sizeof buf, "https://%s.%s.%s", services[i].prefix,
                     region, suffix);
        st = split_url(buf, "AWS endpoint", out, &ip, err);
        out->path_style = path_style;
    }
    if (st != HPOLAB_OK) {
        hpolab_aws_endpoint_free(out);
        return st;
    }
    if (source)
        *source = src;
    return HPOLAB_OK;
}
