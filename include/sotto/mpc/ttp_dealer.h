#pragma once
// Old path of sotto/mpc/dealer/ttp_dealer.h (the dealer family moved under mpc/dealer/).
#include "sotto/mpc/dealer/ttp_dealer.h"
