/* rtrmod/rtrmod.h: the whole public API of librtrmod. */
#ifndef RTRMOD_RTRMOD_H
#define RTRMOD_RTRMOD_H

#include <rtrmod/common.h>
#include <rtrmod/ctx.h>
#include <rtrmod/loop.h>
#include <rtrmod/pdu.h>
#include <rtrmod/records.h>
#include <rtrmod/rov.h>
#include <rtrmod/source.h>
#include <rtrmod/slurm.h>
#include <rtrmod/transport.h>
#include <rtrmod/cache.h>
#include <rtrmod/client.h>
#include <rtrmod/feed.h>
#include <rtrmod/config.h>
#include <rtrmod/instance.h>

#endif
