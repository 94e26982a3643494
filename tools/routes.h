#ifndef ROUTES_H
#define ROUTES_H
#endif
