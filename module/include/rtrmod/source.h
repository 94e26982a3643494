#ifndef RTRMOD_SOURCE_H
#define RTRMOD_SOURCE_H
#endif
