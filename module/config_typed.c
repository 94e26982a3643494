/* placeholder: being written */
#include "config_internal.h"
