#pragma once
// Connection set-up of the tcp backend: one socket per peer, hellos checked on both ends.
#include <vector>

#include "sotto/comm/tcp.h"
#include "tcp_socket.h"

namespace sotto::tcp {

/// Listens on this rank's port, connects to every lower rank (retrying until the timeout) and
/// accepts every higher one. Returns one connected, non-blocking socket per rank (empty for self).
/// @throws as makeTcpCommunicator.
std::vector<Socket> connectMesh(const TcpOptions& options, const PartiesFile& parties);

}  // namespace sotto::tcp
