// Everything a C++ venue prototype needs, without Python: the matching Book
// (core/), the Reg NMS Venue over it (regnms/), and snapshots of either.
// Replay (feed/) and the tools (tools/) are included on their own.
#pragma once

#include "core/book.hpp"
#include "regnms/venue.hpp"
#include "snapshot.hpp"
