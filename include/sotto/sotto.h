#pragma once
/// @file sotto.h
/// Umbrella header: everything a user of Sotto needs.

#include "sotto/comm/communicator.h"
#include "sotto/comm/factory.h"
#include "sotto/comm/inproc.h"
#include "sotto/comm/parties_file.h"
#include "sotto/comm/stats.h"
#include "sotto/comm/sub_communicator.h"
#include "sotto/comm/verify.h"
#include "sotto/error.h"
#include "sotto/version.h"
