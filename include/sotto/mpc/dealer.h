#pragma once
// Old path of sotto/mpc/dealer/dealer.h (the dealer family moved under mpc/dealer/).
#include "sotto/mpc/dealer/dealer.h"
