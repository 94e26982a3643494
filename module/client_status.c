/*
 * client_status.c: a client cache's configuration setters and the status
 * getters a host shows (state, transport, version, Session ID and serial,
 * record counts, timers, last update, last errors and Error Reports).
 *
 * Getters only read the session (client_session.c) and never change it;
 * setters take effect from the next connection, and those that decide how
 * a session starts are refused once it has.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "client_internal.h"
#include "rtrmod_internal.h"

static struct client_cache *
cc_of(struct rtrmod_client_cache *cache)
{
	return (struct client_cache *)(void *)cache;
}

static const struct client_cache *
ccc_of(const struct rtrmod_client_cache *cache)
{
	return (const struct client_cache *)(const void *)cache;
}

/* ---- configuration ---------------------------------------------------------- */

int
rtrmod_client_cache_set_version_max(struct rtrmod_client_cache *cache, uint8_t version)
{
	struct client_cache *cc = cc_of(cache);

	if (cc == NULL || version > RTRMOD_PDU_VERSION_MAX)
		return RTRMOD_EINVAL;
	if (cc->sess.state != RTRMOD_CLIENT_STOPPED || cc->sess.have_update)
		return RTRMOD_ESTATE;
	cc->sess.version_max = cc->sess.version = version;
	return 0;
}

int
rtrmod_client_cache_set_timers(struct rtrmod_client_cache *cache, uint32_t refresh, uint32_t retry,
			       uint32_t expire)
{
	struct client_cache *cc = cc_of(cache);
	struct csess *s;

	if (cc == NULL)
		return RTRMOD_EINVAL;
	if (refresh < CSESS_REFRESH_MIN || refresh > CSESS_REFRESH_MAX || retry < CSESS_RETRY_MIN ||
	    retry > CSESS_RETRY_MAX || expire < CSESS_EXPIRE_MIN || expire > CSESS_EXPIRE_MAX ||
	    expire <= refresh || expire <= retry)
		return RTRMOD_ERANGE;
	s = &cc->sess;
	s->cfg_refresh = refresh;
	s->cfg_retry = retry;
	s->cfg_expire = expire;
	if (!s->have_update) { /* until a v1+ End of Data says otherwise */
		s->refresh = refresh;
		s->retry = retry;
		s->expire = expire;
	}
	return 0;
}

int
rtrmod_client_cache_set_timeout(struct rtrmod_client_cache *cache, uint32_t ms)
{
	if (cache == NULL || ms == 0)
		return RTRMOD_EINVAL;
	cc_of(cache)->sess.timeout_ms = ms;
	return 0;
}

/* Checked here, not at connect time: a wrong family is a configuration
 * error to report now, not a connection that fails every retry.  A name's
 * addresses are not known yet: those of the local address's family are
 * the ones asked for and tried (client_dial.c). */
int
rtrmod_client_cache_set_local_address(struct rtrmod_client_cache *cache, const char *addr)
{
	struct client_cache *cc = cc_of(cache);
	struct resolve_addr local, remote;

	if (cc == NULL)
		return RTRMOD_EINVAL;
	if (addr == NULL) {
		cc->local_addr[0] = '\0';
		return 0;
	}
	if (strlen(addr) >= sizeof(cc->local_addr) || !resolve_numeric(addr, &local) ||
	    (cc->numeric && (!resolve_numeric(cc->host, &remote) || local.family != remote.family)))
		return RTRMOD_EINVAL;
	snprintf(cc->local_addr, sizeof(cc->local_addr), "%s", addr);
	return 0;
}

const char *
rtrmod_client_cache_local_address(const struct rtrmod_client_cache *cache)
{
	const struct client_cache *cc = ccc_of(cache);

	return cc->local_addr[0] != '\0' ? cc->local_addr : NULL;
}

int
rtrmod_client_cache_set_initial_serial(struct rtrmod_client_cache *cache, uint16_t session_id,
				       uint32_t serial)
{
	struct client_cache *cc = cc_of(cache);

	if (cc == NULL)
		return RTRMOD_EINVAL;
	if (cc->sess.state != RTRMOD_CLIENT_STOPPED || cc->sess.have_update)
		return RTRMOD_ESTATE;
	cc->sess.have_session = true;
	cc->sess.lenient = true;
	cc->sess.session_id = session_id;
	cc->sess.serial = serial;
	return 0;
}

/* ---- status -------------------------------------------------------------------- */

size_t
rtrmod_client_cache_count(const struct rtrmod_client *client)
{
	return client->ncaches;
}

const struct rtrmod_client_cache *
rtrmod_client_cache_at(const struct rtrmod_client *client, size_t i)
{
	if (i >= client->ncaches)
		return NULL;
	return (const struct rtrmod_client_cache *)(const void *)client->caches[i];
}

enum rtrmod_client_state
rtrmod_client_cache_state(const struct rtrmod_client_cache *cache)
{
	return (enum rtrmod_client_state)ccc_of(cache)->sess.state;
}

const char *
rtrmod_client_cache_name(const struct rtrmod_client_cache *cache)
{
	return ccc_of(cache)->name;
}

const char *
rtrmod_client_cache_host(const struct rtrmod_client_cache *cache)
{
	return ccc_of(cache)->host;
}

const char *
rtrmod_client_cache_peer_address(const struct rtrmod_client_cache *cache)
{
	const struct client_cache *cc = ccc_of(cache);

	return cc->stream != NULL && cc->handshaken && cc->addr[0] != '\0' ? cc->addr : NULL;
}

const char *
rtrmod_client_cache_transport(const struct rtrmod_client_cache *cache)
{
	return ccc_of(cache)->transport;
}

unsigned
rtrmod_client_cache_preference(const struct rtrmod_client_cache *cache)
{
	return ccc_of(cache)->preference;
}

bool
rtrmod_client_cache_serving(const struct rtrmod_client_cache *cache)
{
	const struct client_cache *cc = ccc_of(cache);
	const struct rtrmod_client *c = cc->client;

	return c->serving >= 0 && c->groups[c->serving].preference == cc->preference;
}

uint8_t
rtrmod_client_cache_version(const struct rtrmod_client_cache *cache, bool *negotiated)
{
	const struct csess *s = &ccc_of(cache)->sess;

	if (negotiated != NULL)
		*negotiated = s->negotiated;
	return s->version;
}

bool
rtrmod_client_cache_session(const struct rtrmod_client_cache *cache, uint16_t *session_id,
			    uint32_t *serial)
{
	const struct csess *s = &ccc_of(cache)->sess;

	if (s->set == NULL || !s->have_session)
		return false;
	if (session_id != NULL)
		*session_id = s->session_id;
	if (serial != NULL)
		*serial = s->serial;
	return true;
}

const struct rtrmod_set *
rtrmod_client_cache_data(const struct rtrmod_client_cache *cache)
{
	return ccc_of(cache)->sess.set;
}

void
rtrmod_client_cache_records(const struct rtrmod_client_cache *cache, size_t *vrps,
			    size_t *router_keys, size_t *aspas)
{
	const struct rtrmod_set *set = ccc_of(cache)->sess.set;
	size_t v = 0, k = 0, a = 0;

	if (set != NULL) {
		(void)rtrmod_set_vrps(set, &v);
		(void)rtrmod_set_router_keys(set, &k);
		(void)rtrmod_set_aspas(set, &a);
	}
	if (vrps != NULL)
		*vrps = v;
	if (router_keys != NULL)
		*router_keys = k;
	if (aspas != NULL)
		*aspas = a;
}

void
rtrmod_client_cache_timers(const struct rtrmod_client_cache *cache, uint32_t *refresh,
			   uint32_t *retry, uint32_t *expire)
{
	const struct csess *s = &ccc_of(cache)->sess;

	if (refresh != NULL)
		*refresh = s->refresh;
	if (retry != NULL)
		*retry = s->retry;
	if (expire != NULL)
		*expire = s->expire;
}

bool
rtrmod_client_cache_last_update(const struct rtrmod_client_cache *cache, uint64_t *ms)
{
	const struct csess *s = &ccc_of(cache)->sess;

	if (s->have_update && ms != NULL)
		*ms = s->last_update;
	return s->have_update;
}

enum rtrmod_client_error_origin
rtrmod_client_cache_last_error(const struct rtrmod_client_cache *cache, int *code,
			       const char **text)
{
	const struct csess *s = &ccc_of(cache)->sess;

	if (code != NULL)
		*code = s->last.origin == RTRMOD_CLIENT_ERR_NONE ? -1 : s->last.code;
	if (text != NULL)
		*text = s->last.text;
	return s->last.origin;
}

bool
rtrmod_client_cache_last_report(const struct rtrmod_client_cache *cache, int *code,
				const char **text)
{
	const struct csess *s = &ccc_of(cache)->sess;

	if (!s->have_report)
		return false;
	if (code != NULL)
		*code = s->report.code;
	if (text != NULL)
		*text = s->report.text;
	return true;
}

void
rtrmod_client_cache_report_counts(const struct rtrmod_client_cache *cache, uint64_t *received,
				  uint64_t *sent)
{
	const struct csess *s = &ccc_of(cache)->sess;

	if (received != NULL)
		*received = s->reports_received;
	if (sent != NULL)
		*sent = s->reports_sent;
}
