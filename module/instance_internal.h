/* placeholder */
#ifndef RTRMOD_INSTANCE_INTERNAL_H
#define RTRMOD_INSTANCE_INTERNAL_H
#endif
