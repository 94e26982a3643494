#ifndef COMMANDS_H
#define COMMANDS_H
#endif
