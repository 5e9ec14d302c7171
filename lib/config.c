/*
 * cockpit.conf(5): read the file, then let the environment win, key by key.
 * Every key is known here; an unknown COCKPIT_ key in the file is refused so
 * a typo never silently leaves a default in place.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "credits.h"

#ifndef COCKPIT_SYSCONFDIR
#define COCKPIT_SYSCONFDIR "/etc/console-cockpit"
#endif

#define MAX_ENTRIES	64
#define MAX_LINE	4096

struct entry {
	char	*key;
	char	*value;
	int	 line;
};

struct file {
	struct entry	 e[MAX_ENTRIES];
	size_t		 n;
};

/* Keys a file may hold besides COCKPIT_LISTEN_<PROGRAM>. */
static const char *const known_keys[] = {
	"COCKPIT_LISTEN", "COCKPIT_WORKERS", "COCKPIT_MAX_REQUESTS",
	"COCKPIT_REQUEST_TIMEOUT", "COCKPIT_MAX_BODY", "COCKPIT_DATABASE_URL",
	"COCKPIT_STATEMENT_TIMEOUT", "COCKPIT_MASTER_KEY", "LITELLM_MASTER_KEY",
	"COCKPIT_LOG_LEVEL", "COCKPIT_ACCESS_LOG", "COCKPIT_JWKS_COOLDOWN",
	"ZITADEL_ISSUER",
	"ZITADEL_ISSUER_URL", "ZITADEL_JWKS_URL", "ZITADEL_AUDIENCE",
	"ZITADEL_ACCOUNT_ID_CLAIMS", "ZITADEL_SUPER_ADMIN_ROLE_KEYS",
	"ZITADEL_ACCOUNT_ADMIN_ROLE_KEYS", "ZITADEL_CONSOLE_CLIENT_ID",
	"ZITADEL_CONSOLE_CLIENT_SECRET", "COCKPIT_PUBLIC_URL",
	"COCKPIT_SESSION_IDLE", "COCKPIT_SESSION_ABSOLUTE",
	"COCKPIT_BREAK_GLASS", "COCKPIT_SECRET_KEYS",
	"ZITADEL_MGMT_URL", "ZITADEL_MGMT_API_TOKEN", "ZITADEL_CLIENT_ID",
	"ZITADEL_CLIENT_SECRET", "CREDITS_FACTOR", "COCKPIT_ALLOW_PRIVATE_URLS",
};

static int
key_known(const char *key)
{
	size_t	 i;

	for (i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
		if (strcmp(key, known_keys[i]) == 0)
			return 1;
	if (strncmp(key, "COCKPIT_LISTEN_", 15) != 0 || key[15] == '\0')
		return 0;
	for (key += 15; *key != '\0'; key++)
		if (!isupper((unsigned char)*key) && *key != '_')
			return 0;
	return 1;
}

static void
file_free(struct file *f)
{
	size_t	 i;

	for (i = 0; i < f->n; i++) {
		free(f->e[i].key);
		free(f->e[i].value);
	}
	f->n = 0;
}

static char *
trim(char *s)
{
	char	*end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Parses one non-blank, non-comment line into f. */
static int
file_line(struct file *f, char *line, int lineno, const char *path,
    char *err, size_t errlen)
{
	char	*eq, *key, *value;
	size_t	 vlen;

	if ((eq = strchr(line, '=')) == NULL) {
		snprintf(err, errlen, "%s:%d: expected KEY=value", path, lineno);
		return -1;
	}
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	vlen = strlen(value);
	if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
		value[vlen - 1] = '\0';
		value++;
	}
	if (!key_known(key)) {
		snprintf(err, errlen, "%s:%d: unknown key %.64s", path, lineno,
		    key);
		return -1;
	}
	if (f->n == MAX_ENTRIES) {
		snprintf(err, errlen, "%s:%d: too many keys", path, lineno);
		return -1;
	}
	f->e[f->n].key = strdup(key);
	f->e[f->n].value = strdup(value);
	f->e[f->n].line = lineno;
	if (f->e[f->n].key == NULL || f->e[f->n].value == NULL) {
		free(f->e[f->n].key);
		free(f->e[f->n].value);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->n++;
	return 0;
}

/* Reads path into f. A missing file is fine unless it was asked for. */
static int
file_read(struct file *f, const char *path, int required, char *err,
    size_t errlen)
{
	FILE	*fp;
	char	 line[MAX_LINE], *s;
	int	 lineno = 0, rc = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !required)
			return 1;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			snprintf(err, errlen, "%s:%d: line too long", path,
			    lineno);
			rc = -1;
			break;
		}
		s = trim(line);
		if (*s != '\0' && *s != '#')
			rc = file_line(f, s, lineno, path, err, errlen);
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -1;
	}
	(void)fclose(fp);
	return rc;
}

/* The value of key: the environment's, else the file's (last one), else NULL. */
static const char *
lookup(const struct file *f, const char *key)
{
	const char	*v;
	size_t		 i;

	if ((v = getenv(key)) != NULL)
		return v;
	for (i = f->n; i > 0; i--)
		if (strcmp(f->e[i - 1].key, key) == 0)
			return f->e[i - 1].value;
	return NULL;
}

static int
number(const struct file *f, const char *key, long dflt, long min, long max,
    long *out, char *err, size_t errlen)
{
	const char	*v = lookup(f, key);
	char		*end;
	long		 n;

	if (v == NULL || *v == '\0') {
		*out = dflt;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || end == v || n < min || n > max) {
		snprintf(err, errlen, "%s must be a whole number from %ld to "
		    "%ld, not \"%.32s\"", key, min, max, v);
		return -1;
	}
	*out = n;
	return 0;
}

static int
string(const char *v, char **out, char *err, size_t errlen)
{
	if (v == NULL)
		return 0;
	if ((*out = strdup(v)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int
load_listen(struct config *c, const struct file *f, const char *program,
    char *err, size_t errlen)
{
	char		 key[64], path[128];
	const char	*v;
	size_t		 i;

	snprintf(key, sizeof(key), "COCKPIT_LISTEN_%.40s", program);
	for (i = 15; key[i] != '\0'; i++)
		key[i] = key[i] == '-' ? '_' :
		    (char)toupper((unsigned char)key[i]);
	if ((v = lookup(f, key)) == NULL || *v == '\0')
		v = lookup(f, "COCKPIT_LISTEN");
	if (v == NULL || *v == '\0') {
		snprintf(path, sizeof(path),
		    "unix:/run/console-cockpit/%.64s.sock", program);
		v = path;
	}
	return string(v, &c->listen, err, errlen);
}

static int
load_numbers(struct config *c, const struct file *f, char *err,
    size_t errlen)
{
	long	 cores, workers, timeout, body, stmt, cooldown, idle, absolute;

	if ((cores = sysconf(_SC_NPROCESSORS_ONLN)) < 1)
		cores = 1;
	if (cores > 256)
		cores = 256;
	if (number(f, "COCKPIT_WORKERS", cores, 1, 256, &workers, err,
	    errlen) == -1 ||
	    number(f, "COCKPIT_MAX_REQUESTS", 10000, 0, 1000000000,
	    &c->max_requests, err, errlen) == -1 ||
	    number(f, "COCKPIT_REQUEST_TIMEOUT", 30, 1, 3600, &timeout, err,
	    errlen) == -1 ||
	    number(f, "COCKPIT_MAX_BODY", 1048576, 1024, 67108864, &body, err,
	    errlen) == -1 ||
	    number(f, "COCKPIT_STATEMENT_TIMEOUT", 5000, 100, 600000, &stmt,
	    err, errlen) == -1 ||
	    number(f, "COCKPIT_JWKS_COOLDOWN", 30, 1, 3600, &cooldown, err,
	    errlen) == -1 ||
	    number(f, "COCKPIT_SESSION_IDLE", 1800, 60, 86400, &idle, err,
	    errlen) == -1 ||
	    number(f, "COCKPIT_SESSION_ABSOLUTE", 43200, 300, 2592000,
	    &absolute, err, errlen) == -1)
		return -1;
	c->session_idle = (int)idle;
	c->session_absolute = (int)(absolute < idle ? idle : absolute);
	c->jwks_cooldown = (int)cooldown;
	c->workers = (int)workers;
	c->request_timeout = (int)timeout;
	c->max_body = (size_t)body;
	c->statement_timeout = (int)stmt;
	return 0;
}

/* A switch that is "on" (the default) or "off". */
static int
on_off(const struct file *f, const char *key, int *out, char *err,
    size_t errlen)
{
	const char	*v = lookup(f, key);

	*out = 1;
	if (v == NULL || *v == '\0' || strcmp(v, "on") == 0)
		return 0;
	if (strcmp(v, "off") == 0) {
		*out = 0;
		return 0;
	}
	snprintf(err, errlen, "%s must be on or off, not \"%.32s\"", key, v);
	return -1;
}

static int
load_switches(struct config *c, const struct file *f, char *err,
    size_t errlen)
{
	const char	*v;

	c->log_level = LOG_LEVEL_INFO;
	v = lookup(f, "COCKPIT_LOG_LEVEL");
	if (v != NULL && *v != '\0' && log_level_parse(v, &c->log_level)) {
		snprintf(err, errlen, "COCKPIT_LOG_LEVEL must be debug, info, "
		    "warn or error, not \"%.32s\"", v);
		return -1;
	}
	if (on_off(f, "COCKPIT_ACCESS_LOG", &c->access_log, err,
	    errlen) == -1 || on_off(f, "COCKPIT_BREAK_GLASS", &c->break_glass,
	    err, errlen) == -1 || on_off(f, "COCKPIT_ALLOW_PRIVATE_URLS",
	    &c->allow_private_urls, err, errlen) == -1)
		return -1;
	/* Off unless set: URLs users give reach public addresses only. */
	v = lookup(f, "COCKPIT_ALLOW_PRIVATE_URLS");
	if (v == NULL || *v == '\0')
		c->allow_private_urls = 0;
	return 0;
}

static int
load_secrets(struct config *c, const struct file *f, char *err,
    size_t errlen)
{
	const char	*v;

	v = lookup(f, "COCKPIT_DATABASE_URL");
	if (v == NULL || *v == '\0') {
		snprintf(err, errlen, "COCKPIT_DATABASE_URL is not set");
		return -1;
	}
	if (string(v, &c->database_url, err, errlen) == -1 ||
	    secret_keys_parse(&c->secrets, lookup(f, "COCKPIT_SECRET_KEYS"),
	    err, errlen) == -1)
		return -1;
	v = lookup(f, "COCKPIT_MASTER_KEY");
	if (v == NULL || *v == '\0')
		v = lookup(f, "LITELLM_MASTER_KEY");
	if (v == NULL || *v == '\0')
		return 0;
	if (strlen(v) < CONFIG_MASTER_KEY_MIN) {
		snprintf(c->warning, sizeof(c->warning), "the master key is "
		    "shorter than %d characters and is ignored: master key "
		    "sign-in is off", CONFIG_MASTER_KEY_MIN);
		return 0;
	}
	return string(v, &c->master_key, err, errlen);
}

static const char *
nonempty(const struct file *f, const char *key)
{
	const char	*v = lookup(f, key);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* COCKPIT_PUBLIC_URL: an absolute http(s) URL, kept without a final /. */
static int
load_public_url(struct config *c, const struct file *f, char *err,
    size_t errlen)
{
	const char	*v = nonempty(f, "COCKPIT_PUBLIC_URL");
	size_t		 n;

	if (v == NULL)
		return 0;
	if ((strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) ||
	    strchr(v, '?') != NULL || strchr(v, '#') != NULL ||
	    strlen(v) > 200) {
		snprintf(err, errlen, "COCKPIT_PUBLIC_URL must be an http(s) "
		    "URL without query or fragment, not \"%.64s\"", v);
		return -1;
	}
	if (string(v, &c->public_url, err, errlen) == -1)
		return -1;
	n = strlen(c->public_url);
	while (n > 0 && c->public_url[n - 1] == '/')
		c->public_url[--n] = '\0';
	return 0;
}

/*
 * The identity provider. Without an issuer, tokens are refused; the JWKS
 * URL defaults to Zitadel's, under the issuer.
 */
static int
load_identity(struct config *c, const struct file *f, char *err,
    size_t errlen)
{
	const char	*issuer = nonempty(f, "ZITADEL_ISSUER");
	size_t		 n;

	if (issuer == NULL)
		issuer = nonempty(f, "ZITADEL_ISSUER_URL");
	if (string(issuer, &c->issuer, err, errlen) == -1 ||
	    string(nonempty(f, "ZITADEL_JWKS_URL"), &c->jwks_url, err,
	    errlen) == -1 ||
	    string(nonempty(f, "ZITADEL_AUDIENCE"), &c->audience, err,
	    errlen) == -1 ||
	    string(nonempty(f, "ZITADEL_ACCOUNT_ID_CLAIMS"), &c->account_claims,
	    err, errlen) == -1 ||
	    string(nonempty(f, "ZITADEL_SUPER_ADMIN_ROLE_KEYS"),
	    &c->super_admin_roles, err, errlen) == -1 ||
	    string(nonempty(f, "ZITADEL_ACCOUNT_ADMIN_ROLE_KEYS"),
	    &c->account_admin_roles, err, errlen) == -1 ||
	    string(nonempty(f, "ZITADEL_CONSOLE_CLIENT_ID"), &c->client_id, err,
	    errlen) == -1 ||
	    string(nonempty(f, "ZITADEL_CONSOLE_CLIENT_SECRET"),
	    &c->client_secret, err, errlen) == -1 ||
	    load_public_url(c, f, err, errlen) == -1)
		return -1;
	if (c->issuer == NULL || c->jwks_url != NULL)
		return 0;
	n = strlen(c->issuer);
	if ((c->jwks_url = malloc(n + sizeof("/oauth/v2/keys"))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	(void)snprintf(c->jwks_url, n + sizeof("/oauth/v2/keys"), "%.*s"
	    "/oauth/v2/keys", (int)(n > 0 && c->issuer[n - 1] == '/' ? n - 1 :
	    n), c->issuer);
	return 0;
}

/*
 * The management API (provisioning): its URL, an absolute http(s) URL
 * kept without a final / (default: the issuer's), and its credentials, a
 * token or a client's id and secret, which go together.
 */
static int
load_mgmt(struct config *c, const struct file *f, char *err, size_t errlen)
{
	const char	*url = nonempty(f, "ZITADEL_MGMT_URL"),
			*id = nonempty(f, "ZITADEL_CLIENT_ID"),
			*secret = nonempty(f, "ZITADEL_CLIENT_SECRET");
	size_t		 n;

	if (url != NULL && ((strncmp(url, "https://", 8) != 0 &&
	    strncmp(url, "http://", 7) != 0) || strpbrk(url, "?#") != NULL ||
	    strlen(url) > 400)) {
		snprintf(err, errlen, "ZITADEL_MGMT_URL must be an http(s) URL "
		    "without query or fragment, not \"%.64s\"", url);
		return -1;
	}
	if ((id == NULL) != (secret == NULL)) {
		snprintf(err, errlen, "ZITADEL_CLIENT_ID and "
		    "ZITADEL_CLIENT_SECRET must be set together");
		return -1;
	}
	if (string(url, &c->mgmt_url, err, errlen) == -1 ||
	    string(nonempty(f, "ZITADEL_MGMT_API_TOKEN"), &c->mgmt_token, err,
	    errlen) == -1 ||
	    string(id, &c->mgmt_client_id, err, errlen) == -1 ||
	    string(secret, &c->mgmt_client_secret, err, errlen) == -1)
		return -1;
	n = c->mgmt_url != NULL ? strlen(c->mgmt_url) : 0;
	while (n > 0 && c->mgmt_url[n - 1] == '/')
		c->mgmt_url[--n] = '\0';
	return 0;
}

/*
 * CREDITS_FACTOR, the credits a unit of a model's cost comes to (a model
 * of the catalogue may have its own): a decimal above 0 and at most
 * 1000000, with at most 6 decimals; 1 when unset. Kept in its shortest
 * form, as the database is given it.
 */
static int
load_credits_factor(struct config *c, const struct file *f, char *err,
    size_t errlen)
{
	const char	*v = nonempty(f, "CREDITS_FACTOR");
	int64_t		 micro = CREDITS_SCALE;

	if (v != NULL && (credits_parse(v, &micro) == -1 || micro <= 0 ||
	    micro > (int64_t)1000000 * CREDITS_SCALE)) {
		snprintf(err, errlen, "CREDITS_FACTOR must be a decimal above 0 "
		    "and at most 1000000, with at most 6 decimals, not "
		    "\"%.32s\"", v);
		return -1;
	}
	return credits_format(micro, c->credits_factor,
	    sizeof(c->credits_factor)) == -1 ? -1 : 0;
}

/*
 * Loads the configuration of program. path is the file to read; NULL means
 * $COCKPIT_CONFIG, else the default path, which may be absent.
 */
int
config_load(struct config *c, const char *program, const char *path,
    char *err, size_t errlen)
{
	struct file	 f = { .n = 0 };
	int		 required = 1, rc;

	memset(c, 0, sizeof(*c));
	if (path == NULL && (path = getenv("COCKPIT_CONFIG")) == NULL) {
		path = CONFIG_DEFAULT_PATH;
		required = 0;
	}
	if ((rc = file_read(&f, path, required, err, errlen)) == -1) {
		file_free(&f);
		return -1;
	}
	if (rc == 0 && string(path, &c->path, err, errlen) == -1)
		rc = -1;
	else if (load_listen(c, &f, program, err, errlen) == -1 ||
	    load_numbers(c, &f, err, errlen) == -1 ||
	    load_switches(c, &f, err, errlen) == -1 ||
	    load_credits_factor(c, &f, err, errlen) == -1 ||
	    load_secrets(c, &f, err, errlen) == -1 ||
	    load_identity(c, &f, err, errlen) == -1 ||
	    load_mgmt(c, &f, err, errlen) == -1)
		rc = -1;
	file_free(&f);
	if (rc == -1)
		config_free(c);
	return rc;
}

void
config_free(struct config *c)
{
	free(c->path);
	free(c->listen);
	free(c->database_url);
	free(c->issuer);
	free(c->jwks_url);
	free(c->audience);
	free(c->account_claims);
	free(c->super_admin_roles);
	free(c->account_admin_roles);
	free(c->client_id);
	free(c->public_url);
	free(c->mgmt_url);
	free(c->mgmt_client_id);
	if (c->mgmt_token != NULL)
		explicit_bzero(c->mgmt_token, strlen(c->mgmt_token));
	free(c->mgmt_token);
	if (c->mgmt_client_secret != NULL)
		explicit_bzero(c->mgmt_client_secret,
		    strlen(c->mgmt_client_secret));
	free(c->mgmt_client_secret);
	if (c->client_secret != NULL)
		explicit_bzero(c->client_secret, strlen(c->client_secret));
	free(c->client_secret);
	if (c->master_key != NULL)
		explicit_bzero(c->master_key, strlen(c->master_key));
	free(c->master_key);
	secret_keys_free(&c->secrets);
	memset(c, 0, sizeof(*c));
}
