/* Shared-memory request counters and latency histograms. */
#include <sys/mman.h>

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"

#define UNMATCHED	"unmatched"

static const int status_codes[] = {
	200, 201, 204, 304, 400, 401, 403, 404, 405, 409, 413, 415, 422,
	429, 500, 502, 503, 504
};
#define NSTATUS		(sizeof(status_codes) / sizeof(status_codes[0]))
#define STATUS_OTHER	NSTATUS

/* Upper bounds in microseconds; +Inf is the count. */
static const uint64_t bucket_us[] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000
};
static const char *const bucket_le[] = {
	"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
	"0.5", "1", "2.5", "5", "10"
};
#define NBUCKET		(sizeof(bucket_us) / sizeof(bucket_us[0]))

typedef atomic_uint_least64_t counter;

struct slot {
	counter	 requests[METHOD__MAX][NSTATUS + 1];
	counter	 bucket[NBUCKET];
	counter	 count;
	counter	 sum_us;
};

struct metrics {
	size_t	 size;		/* of the mapping */
	size_t	 nslots;	/* routes, then one for unmatched */
	counter	 worker_starts;
	counter	 worker_deaths_abnormal;
	struct slot slot[];
};

struct metrics *
metrics_create(size_t nroutes)
{
	struct metrics	*m;
	size_t		 size;

	size = sizeof(*m) + (nroutes + 1) * sizeof(struct slot);
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	/* Fresh anonymous pages are zero, which is every counter's start. */
	m->size = size;
	m->nslots = nroutes + 1;
	return m;
}

void
metrics_destroy(struct metrics *m)
{
	if (m != NULL)
		(void)munmap(m, m->size);
}

static size_t
status_slot(int status)
{
	size_t	 i;

	for (i = 0; i < NSTATUS; i++)
		if (status_codes[i] == status)
			return i;
	return STATUS_OTHER;
}

static void
add(counter *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* Counts one request; route == nroutes for a path no route matched. */
void
metrics_observe(struct metrics *m, size_t route, enum method method,
    int status, uint64_t us)
{
	struct slot	*s;
	size_t		 b;

	if (m == NULL)
		return;
	s = &m->slot[route < m->nslots ? route : m->nslots - 1];
	add(&s->requests[method < METHOD__MAX ? method : METHOD_OTHER]
	    [status_slot(status)], 1);
	for (b = 0; b < NBUCKET && us > bucket_us[b]; b++)
		continue;
	if (b < NBUCKET)
		add(&s->bucket[b], 1);
	add(&s->count, 1);
	add(&s->sum_us, us);
}

void
metrics_worker_started(struct metrics *m)
{
	add(&m->worker_starts, 1);
}

void
metrics_worker_died(struct metrics *m, int abnormal)
{
	if (abnormal)
		add(&m->worker_deaths_abnormal, 1);
}

static uint64_t
get(const counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static int
render_requests(const struct slot *s, const char *program, const char *route,
    struct buf *b)
{
	uint64_t	 n;
	size_t		 m, st;
	char		 code[16];

	for (m = 0; m < METHOD__MAX; m++)
		for (st = 0; st <= NSTATUS; st++) {
			if ((n = get(&s->requests[m][st])) == 0)
				continue;
			if (st == STATUS_OTHER)
				strcpy(code, "other");
			else
				(void)snprintf(code, sizeof(code), "%d",
				    status_codes[st]);
			if (buf_printf(b, "cockpit_http_requests_total{program="
			    "\"%s\",method=\"%s\",route=\"%s\",status=\"%s\"}"
			    " %llu\n", program, method_name((enum method)m),
			    route, code, (unsigned long long)n) == -1)
				return -1;
		}
	return 0;
}

/*
 * One histogram per route template: routes sharing a path (GET and POST
 * /v1/accounts) are summed, since Prometheus refuses duplicate series.
 */
static int
render_histogram(const struct metrics *m, const struct route *routes,
    size_t nroutes, size_t first, const char *program, const char *route,
    struct buf *b)
{
	uint64_t	 bucket[NBUCKET] = { 0 }, cum = 0, count = 0, sum = 0;
	size_t		 i, k;

	for (i = first; i < m->nslots; i++) {
		if (strcmp(i < nroutes ? routes[i].pattern : "unmatched",
		    route) != 0)
			continue;
		for (k = 0; k < NBUCKET; k++)
			bucket[k] += get(&m->slot[i].bucket[k]);
		count += get(&m->slot[i].count);
		sum += get(&m->slot[i].sum_us);
	}
	if (count == 0)
		return 0;
	for (i = 0; i < NBUCKET; i++) {
		cum += bucket[i];
		if (buf_printf(b, "cockpit_http_request_duration_seconds_bucket"
		    "{program=\"%s\",route=\"%s\",le=\"%s\"} %llu\n", program,
		    route, bucket_le[i], (unsigned long long)cum) == -1)
			return -1;
	}
	return buf_printf(b, "cockpit_http_request_duration_seconds_bucket"
	    "{program=\"%s\",route=\"%s\",le=\"+Inf\"} %llu\n"
	    "cockpit_http_request_duration_seconds_sum{program=\"%s\","
	    "route=\"%s\"} %llu.%06llu\n"
	    "cockpit_http_request_duration_seconds_count{program=\"%s\","
	    "route=\"%s\"} %llu\n", program, route, (unsigned long long)count,
	    program, route, (unsigned long long)(sum / 1000000),
	    (unsigned long long)(sum % 1000000), program, route,
	    (unsigned long long)count);
}

static const char *
slot_name(const struct route *routes, size_t nroutes, size_t i)
{
	return i < nroutes ? routes[i].pattern : UNMATCHED;
}

/* Whether an earlier slot has the same route template. */
static int
seen_before(const struct route *routes, size_t nroutes, size_t i)
{
	size_t	 j;

	for (j = 0; j < i && i < nroutes; j++)
		if (strcmp(routes[j].pattern, routes[i].pattern) == 0)
			return 1;
	return 0;
}

/* Appends the whole exposition; routes name the slots. */
int
metrics_render(const struct metrics *m, const char *program,
    const struct route *routes, size_t nroutes, struct buf *b)
{
	size_t	 i;

	if (buf_puts(b, "# HELP cockpit_http_requests_total HTTP requests "
	    "answered, by route template and status.\n"
	    "# TYPE cockpit_http_requests_total counter\n") == -1)
		return -1;
	for (i = 0; i < m->nslots; i++)
		if (render_requests(&m->slot[i], program,
		    slot_name(routes, nroutes, i), b) == -1)
			return -1;
	if (buf_puts(b, "# HELP cockpit_http_request_duration_seconds Time "
	    "from reading a request to answering it.\n"
	    "# TYPE cockpit_http_request_duration_seconds histogram\n") == -1)
		return -1;
	for (i = 0; i < m->nslots; i++)
		if (!seen_before(routes, nroutes, i) &&
		    render_histogram(m, routes, nroutes, i, program,
		    slot_name(routes, nroutes, i), b) == -1)
			return -1;
	return buf_printf(b, "# HELP cockpit_worker_starts_total Workers "
	    "started by the supervisor.\n"
	    "# TYPE cockpit_worker_starts_total counter\n"
	    "cockpit_worker_starts_total{program=\"%s\"} %llu\n"
	    "# HELP cockpit_worker_crashes_total Workers that died abnormally "
	    "(signal or error exit).\n"
	    "# TYPE cockpit_worker_crashes_total counter\n"
	    "cockpit_worker_crashes_total{program=\"%s\"} %llu\n", program,
	    (unsigned long long)get(&m->worker_starts), program,
	    (unsigned long long)get(&m->worker_deaths_abnormal));
}
