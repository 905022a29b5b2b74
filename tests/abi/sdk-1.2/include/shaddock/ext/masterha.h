/*
 * shaddock/ext/masterha.h - service "shd.masterha/1": master high availability (Pomelo's
 * pomelo-masterha-plugin over ZooKeeper).
 *
 * Provided by the `masterha` plugin (plugins/masterha). The `cluster` plugin looks it up when it
 * starts; without it nothing of the cluster changes.
 *
 *  - On a master process (the one of master.json or a standby of masterha.json), `contend` enters the
 *    leader election. `event` is then called on the logic thread with SHD_MASTERHA_ELECTED once this
 *    process holds the lock and has written its master info to the base path (act as the master from
 *    then on; the data is that info as JSON {"id","host","port"}, with "previous": the info found there
 *    before, {"id","host","port"} plus "stopped":true when that master stopped the cluster cleanly,
 *    absent when there was none), and with SHD_MASTERHA_LOST when its ZooKeeper session expired while it was the leader
 *    (another master may act by now: stop acting at once). `fence` is true while this process is the
 *    leader and its session has been heard from within two thirds of the session timeout: a master
 *    checks it before it accepts a registration or an admin command.
 *  - On any other server, `watch` follows the master info: `event` is called on the logic thread with
 *    SHD_MASTERHA_MASTER and the info as JSON {"id","host","port"} whenever it is read (at start,
 *    on every change, after every reconnection to ZooKeeper). Garbage in the znode is logged and
 *    ignored.
 *
 * All functions: [logic]. New after ABI 1.1: a new table, nothing existing changed (docs/abi.md).
 */
#ifndef SHADDOCK_EXT_MASTERHA_H
#define SHADDOCK_EXT_MASTERHA_H

#include <shaddock/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHD_MASTERHA_SERVICE_ID "shd.masterha/1"

#define SHD_MASTERHA_ELECTED 1
#define SHD_MASTERHA_LOST 2
#define SHD_MASTERHA_MASTER 3

/* Called any number of times (not a one-shot completion: user_data comes before it in the calls). */
typedef void(SHD_CALL *shd_masterha_event_fn)(void *user_data, int32_t event, shd_str data);

typedef struct shd_masterha_service_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;

    /* A master process: enter the election; `event` gets ELECTED, then maybe LOST. Once per process. */
    shd_status(SHD_CALL *contend)(void *sctx, void *user_data, shd_masterha_event_fn event);
    /* A master process: 1 while it leads with a live session, else 0. */
    int32_t(SHD_CALL *fence)(void *sctx);
    /* Any other server: follow the master info; `event` gets MASTER with the info. Once per process. */
    shd_status(SHD_CALL *watch)(void *sctx, void *user_data, shd_masterha_event_fn event);
    /* A master process, once elected and acting (listening, servers started or adopted). Only a master
     * that acted marks the master info "stopped" when its process stops while it still leads (a clean
     * stop of the whole cluster), so that a standby does not start the cluster again; one that failed
     * to act (its port taken, say) just lets the next standby lead. */
    void(SHD_CALL *acting)(void *sctx);
} shd_masterha_service_v1;

#ifdef __cplusplus
}
#endif

#endif
