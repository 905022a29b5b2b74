/*
 * shaddock/ext/metrics.h - service "shd.metrics/1": the figures of one server process (counters,
 * gauges, fixed-bucket histograms), which the cluster plugin sends to the master once a second and
 * the master serves as Prometheus text on its admin port (docs/operations.md, "Metrics").
 *
 * Built into the host (no plugin provides it, no manifest needs to list it): every module finds it
 * with lookup_service from its entry call on.
 *
 * A metric is declared once and then updated through the handle it gets; the host owns every
 * metric, which lives until the process exits (a handle never dangles, so a module may keep it in
 * any thread). A metric is one series of a family: the family is the name (with its kind, help,
 * label name and, for a histogram, its bucket bounds, all fixed by the first declaration), the series
 * is the label value. Declaring the same name and label value again returns the same handle.
 *
 * Keep label values to a bounded set (routes of this app, server types of servers.json): every
 * value is a series kept forever and sent to the master every second. Never label with client text.
 *
 * Names follow Prometheus: [a-zA-Z_:][a-zA-Z0-9_:]*, the project's start with "shaddock_", units
 * in the name (`_seconds`, `_bytes`); a counter is named without "_total" (the exposition adds it).
 *
 * Threads: declare and snapshot [logic]; add, set and observe [any] (lock-free).
 */
#ifndef SHADDOCK_EXT_METRICS_H
#define SHADDOCK_EXT_METRICS_H

#include <shaddock/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_METRICS_SERVICE_ID "shd.metrics/1"

/* Kinds of metric. */
#define SHD_METRIC_COUNTER 1   /* only goes up: add(delta >= 0) */
#define SHD_METRIC_GAUGE 2     /* goes up and down, any real value: add(delta), set(value) */
#define SHD_METRIC_HISTOGRAM 3 /* observe(value): counts per bucket, a sum and a count */

/* A metric, owned by the host, valid until the process exits. */
typedef struct shd_metric shd_metric;

typedef struct shd_metric_desc_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    int32_t kind; /* SHD_METRIC_* */
    shd_str name;
    shd_str help;        /* one line saying what is counted; may be empty */
    shd_str label_name;  /* empty: the family has no label; else [a-zA-Z_][a-zA-Z0-9_]*, not
                            "server_id", "server_type", "le" or starting with "__" */
    shd_str label_value; /* the series' value of label_name (any UTF-8; ignored without a label) */
    /* Histograms: the upper bounds of the buckets, strictly increasing and finite, at most 64
     * (+Inf is implied). Ignored for other kinds. */
    const double *buckets;
    size_t bucket_count;
} shd_metric_desc_v1;

typedef struct shd_metrics_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    /* [logic] The metric of desc's name and label value, declared now or before. SHD_ERR_INVALID
     * for a bad name, label name, kind or bucket list, or when the family exists with another kind,
     * label name or bucket list (nothing is declared then, *out is NULL). */
    shd_status(SHD_CALL *declare)(void *mctx, const shd_metric_desc_v1 *desc, shd_metric **out);
    /* [any] A counter grows by delta (a negative delta is ignored); a gauge moves by delta.
     * Nothing for a histogram or a NULL metric. */
    void(SHD_CALL *add)(void *mctx, shd_metric *metric, int64_t delta);
    /* [any] A gauge takes value. Nothing for other kinds, a NULL metric, a NaN or an infinity. */
    void(SHD_CALL *set)(void *mctx, shd_metric *metric, double value);
    /* [any] A histogram counts value (in the family's unit) in its bucket. Nothing for other kinds,
     * a NULL metric, a NaN or an infinity. */
    void(SHD_CALL *observe)(void *mctx, shd_metric *metric, double value);
    /* [logic] Every family and its series, as one JSON array to sink during the call, families
     * sorted by name and series by label value:
     *   [{"name":"shaddock_client_requests","kind":"counter","help":"...","label":"route",
     *     "series":[{"value":"chat.chatHandler.send","v":12}]},
     *    {"name":"...","kind":"histogram","help":"...","label":"",
     *     "buckets":[0.005,0.01],"series":[{"value":"","counts":[3,1,0],"sum":0.021,"count":4}]}]
     * "v" is an integer for a counter, a number for a gauge; a histogram's "counts" are per bucket, not cumulative,
     * the last one for +Inf. */
    void(SHD_CALL *snapshot)(void *mctx, shd_text_fn sink, void *user_data);
} shd_metrics_v1;

#ifdef __cplusplus
}
#endif

#endif /* SHADDOCK_EXT_METRICS_H */
