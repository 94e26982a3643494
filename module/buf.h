#ifndef RTRMOD_BUF_H
#define RTRMOD_BUF_H
#endif
