#ifndef RTRMOD_SLURM_H
#define RTRMOD_SLURM_H
#endif
