// Everything a C++ venue prototype needs, without Python.
#pragma once

#include "book.hpp"
#include "event_buffer.hpp"
#include "price.hpp"
#include "records.hpp"
#include "types.hpp"
