#ifndef HEXFILE_H
#define HEXFILE_H
#endif
