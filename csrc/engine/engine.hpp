// Everything a C++ venue prototype needs, without Python.
#pragma once

#include "book.hpp"
#include "event_buffer.hpp"
#include "feed.hpp"
#include "fees.hpp"
#include "itch.hpp"
#include "itch_writer.hpp"
#include "latency.hpp"
#include "lobster.hpp"
#include "price.hpp"
#include "protected_quotes.hpp"
#include "records.hpp"
#include "reg_nms.hpp"
#include "rematch.hpp"
#include "replay.hpp"
#include "trade_through.hpp"
#include "types.hpp"
