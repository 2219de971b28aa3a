// Tables describing the public enums and record layouts, so bindings can check
// their copies against the C++ definitions instead of trusting them.
#pragma once

#include <cstddef>
#include <iterator>
#include <type_traits>

#include "core/records.hpp"
#include "core/types.hpp"
#include "regnms/fees.hpp"

namespace engine::introspect {

struct EnumEntry {
    const char* type;
    const char* name;
    long long value;
};

#define ENGINE_ENUM(T, N) EnumEntry{#T, #N, static_cast<long long>(T::N)}
inline constexpr EnumEntry kEnums[] = {
    ENGINE_ENUM(Side, Buy), ENGINE_ENUM(Side, Sell),
    ENGINE_ENUM(OrderType, Limit), ENGINE_ENUM(OrderType, Market),
    ENGINE_ENUM(TimeInForce, Day), ENGINE_ENUM(TimeInForce, Gtc),
    ENGINE_ENUM(TimeInForce, Ioc), ENGINE_ENUM(TimeInForce, Fok),
    ENGINE_ENUM(PostOnly, None), ENGINE_ENUM(PostOnly, Reject), ENGINE_ENUM(PostOnly, Reprice),
    ENGINE_ENUM(StpMode, None), ENGINE_ENUM(StpMode, CancelNewest), ENGINE_ENUM(StpMode, CancelOldest),
    ENGINE_ENUM(StpMode, CancelBoth), ENGINE_ENUM(StpMode, Decrement),
    EnumEntry{"OrderFlag", "Hidden", kFlagHidden}, EnumEntry{"OrderFlag", "Routable", kFlagRoutable},
    EnumEntry{"OrderFlag", "Iso", kFlagIso}, EnumEntry{"OrderFlag", "NonRegularWay", kFlagNonRegularWay},
    EnumEntry{"OrderFlag", "Auction", kFlagAuction}, EnumEntry{"OrderFlag", "Benchmark", kFlagBenchmark},
    EnumEntry{"OrderFlag", "Stopped", kFlagStopped},
    ENGINE_ENUM(LockCrossMode, Default), ENGINE_ENUM(LockCrossMode, Slide),
    ENGINE_ENUM(LockCrossMode, PriceAdjust), ENGINE_ENUM(LockCrossMode, CancelBack),
    ENGINE_ENUM(Feed, Direct), ENGINE_ENUM(Feed, Cqs), ENGINE_ENUM(Feed, Uqdf),
    EnumEntry{"QuoteFlag", "BidManual", kQuoteBidManual}, EnumEntry{"QuoteFlag", "AskManual", kQuoteAskManual},
    EnumEntry{"QuoteFlag", "Closed", kQuoteClosed}, EnumEntry{"QuoteFlag", "UnknownCondition", kQuoteUnknownCondition},
    ENGINE_ENUM(FeeCapRegime, Cap2005), ENGINE_ENUM(FeeCapRegime, Cap2024),
    ENGINE_ENUM(FeedKind, None), ENGINE_ENUM(FeedKind, Add), ENGINE_ENUM(FeedKind, Cancel),
    ENGINE_ENUM(FeedKind, Delete), ENGINE_ENUM(FeedKind, Execute), ENGINE_ENUM(FeedKind, ExecuteAtPrice),
    ENGINE_ENUM(FeedKind, Replace), ENGINE_ENUM(FeedKind, HiddenExecution), ENGINE_ENUM(FeedKind, CrossTrade),
    ENGINE_ENUM(FeedKind, TradingHalt), ENGINE_ENUM(FeedKind, SystemEvent), ENGINE_ENUM(FeedKind, StockDirectory),
    ENGINE_ENUM(FeedKind, Modify), ENGINE_ENUM(FeedKind, Clear), ENGINE_ENUM(FeedKind, Trade), ENGINE_ENUM(FeedKind, Fill),
    ENGINE_ENUM(ComplianceCode, None), ENGINE_ENUM(ComplianceCode, NoTradeThrough),
    ENGINE_ENUM(ComplianceCode, SelfHelp), ENGINE_ENUM(ComplianceCode, NonRegularWay),
    ENGINE_ENUM(ComplianceCode, Auction), ENGINE_ENUM(ComplianceCode, CrossedMarket),
    ENGINE_ENUM(ComplianceCode, IsoReceived), ENGINE_ENUM(ComplianceCode, IsoRouted),
    ENGINE_ENUM(ComplianceCode, Benchmark), ENGINE_ENUM(ComplianceCode, Flicker),
    ENGINE_ENUM(ComplianceCode, Stopped), ENGINE_ENUM(ComplianceCode, SubPenny),
    ENGINE_ENUM(ComplianceCode, RoutePending), ENGINE_ENUM(ComplianceCode, OutsideRth),
    ENGINE_ENUM(ComplianceCode, PolicyOutsideRth), ENGINE_ENUM(ComplianceCode, CheckDisabled),
    ENGINE_ENUM(ComplianceCode, Mixed), ENGINE_ENUM(ComplianceCode, BlockedRule611),
    ENGINE_ENUM(ComplianceCode, BlockedPolicy),
    ENGINE_ENUM(Action, New), ENGINE_ENUM(Action, Cancel), ENGINE_ENUM(Action, Replace),
    ENGINE_ENUM(Action, Reduce), ENGINE_ENUM(Action, Expire),
    ENGINE_ENUM(EventType, Accepted), ENGINE_ENUM(EventType, Rejected), ENGINE_ENUM(EventType, Fill),
    ENGINE_ENUM(EventType, Cancelled), ENGINE_ENUM(EventType, Expired), ENGINE_ENUM(EventType, Reduced),
    ENGINE_ENUM(EventType, Replaced), ENGINE_ENUM(EventType, Repriced), ENGINE_ENUM(EventType, Refreshed),
    ENGINE_ENUM(EventType, Route), ENGINE_ENUM(EventType, Blocked), ENGINE_ENUM(EventType, TradeThrough),
    ENGINE_ENUM(EventType, Session),
    EnumEntry{"EventFlag", "PriorityKept", kEventPriorityKept},
    EnumEntry{"EventFlag", "TakerHidden", kEventTakerHidden}, EnumEntry{"EventFlag", "Iso", kEventIso},
    ENGINE_ENUM(Liquidity, None), ENGINE_ENUM(Liquidity, MakerDisplayed), ENGINE_ENUM(Liquidity, MakerHidden),
    ENGINE_ENUM(TickRegime, Penny2005), ENGINE_ENUM(TickRegime, HalfPenny2024),
    ENGINE_ENUM(Reason, None), ENGINE_ENUM(Reason, InvalidOrderId), ENGINE_ENUM(Reason, DuplicateOrderId),
    ENGINE_ENUM(Reason, UnknownOrderId), ENGINE_ENUM(Reason, InvalidSide), ENGINE_ENUM(Reason, InvalidOrderType),
    ENGINE_ENUM(Reason, InvalidTimeInForce), ENGINE_ENUM(Reason, InvalidQuantity),
    ENGINE_ENUM(Reason, QuantityOutOfRange), ENGINE_ENUM(Reason, InvalidPrice),
    ENGINE_ENUM(Reason, PriceOutOfRange), ENGINE_ENUM(Reason, PriceNotOnTick),
    ENGINE_ENUM(Reason, InvalidDisplayQuantity), ENGINE_ENUM(Reason, InvalidPostOnly),
    ENGINE_ENUM(Reason, InvalidStpMode), ENGINE_ENUM(Reason, InvalidFlags),
    ENGINE_ENUM(Reason, IncompatibleInstructions), ENGINE_ENUM(Reason, NoLiquidity),
    ENGINE_ENUM(Reason, PostOnlyWouldRemove), ENGINE_ENUM(Reason, TimestampRegression),
    ENGINE_ENUM(Reason, InvalidAction), ENGINE_ENUM(Reason, QuantityExceedsLeaves),
    ENGINE_ENUM(Reason, IsoRequiresLimit), ENGINE_ENUM(Reason, WouldLockCross), ENGINE_ENUM(Reason, UnknownVenue),
    ENGINE_ENUM(Reason, InvalidQuote), ENGINE_ENUM(Reason, InvalidLockCrossMode),
    ENGINE_ENUM(Reason, InvalidSelfHelp), ENGINE_ENUM(Reason, WouldTradeThrough),
    ENGINE_ENUM(Reason, UserCancel), ENGINE_ENUM(Reason, IocRemainder), ENGINE_ENUM(Reason, FokNotFillable),
    ENGINE_ENUM(Reason, StpCancelNewest), ENGINE_ENUM(Reason, StpCancelOldest),
    ENGINE_ENUM(Reason, StpCancelBoth), ENGINE_ENUM(Reason, StpDecrement), ENGINE_ENUM(Reason, EndOfDay),
    ENGINE_ENUM(Reason, PostOnlyRepriced), ENGINE_ENUM(Reason, Slid), ENGINE_ENUM(Reason, PriceAdjusted),
    ENGINE_ENUM(Reason, RankedAtLock), ENGINE_ENUM(Reason, Reslid), ENGINE_ENUM(Reason, Unslid),
    ENGINE_ENUM(Reason, RouteIso), ENGINE_ENUM(Reason, RouteIsoPartial), ENGINE_ENUM(Reason, RthStart),
    ENGINE_ENUM(Reason, RthEnd),
};
#undef ENGINE_ENUM
inline constexpr std::size_t kEnumCount = std::size(kEnums);

struct FieldEntry {
    const char* record;
    const char* field;
    std::size_t offset;
    std::size_t size;
    char kind;  // 'i' signed integer, 'u' unsigned (numpy's letters)
};

#define ENGINE_FIELD(R, F) \
    FieldEntry{#R, #F, offsetof(R, F), sizeof(R::F), std::is_signed_v<decltype(R::F)> ? 'i' : 'u'}
inline constexpr FieldEntry kFields[] = {
    ENGINE_FIELD(Command, ts), ENGINE_FIELD(Command, order_id), ENGINE_FIELD(Command, new_order_id),
    ENGINE_FIELD(Command, price), ENGINE_FIELD(Command, quantity), ENGINE_FIELD(Command, display_quantity),
    ENGINE_FIELD(Command, participant), ENGINE_FIELD(Command, action), ENGINE_FIELD(Command, side),
    ENGINE_FIELD(Command, order_type), ENGINE_FIELD(Command, tif), ENGINE_FIELD(Command, stp),
    ENGINE_FIELD(Command, post_only), ENGINE_FIELD(Command, lock_cross), ENGINE_FIELD(Command, reserved),
    ENGINE_FIELD(Command, flags),
    ENGINE_FIELD(Event, seq), ENGINE_FIELD(Event, ts), ENGINE_FIELD(Event, order_id),
    ENGINE_FIELD(Event, contra_id), ENGINE_FIELD(Event, price), ENGINE_FIELD(Event, quantity),
    ENGINE_FIELD(Event, leaves), ENGINE_FIELD(Event, contra_leaves), ENGINE_FIELD(Event, fee),
    ENGINE_FIELD(Event, aux), ENGINE_FIELD(Event, venues), ENGINE_FIELD(Event, quote_version),
    ENGINE_FIELD(Event, reason), ENGINE_FIELD(Event, compliance_code), ENGINE_FIELD(Event, type),
    ENGINE_FIELD(Event, side), ENGINE_FIELD(Event, liquidity), ENGINE_FIELD(Event, flags),
    ENGINE_FIELD(LevelView, price), ENGINE_FIELD(LevelView, quantity), ENGINE_FIELD(LevelView, orders),
    ENGINE_FIELD(OrderView, order_id), ENGINE_FIELD(OrderView, ts), ENGINE_FIELD(OrderView, price),
    ENGINE_FIELD(OrderView, display_price), ENGINE_FIELD(OrderView, limit_price),
    ENGINE_FIELD(OrderView, leaves), ENGINE_FIELD(OrderView, displayed), ENGINE_FIELD(OrderView, reserve),
    ENGINE_FIELD(OrderView, filled), ENGINE_FIELD(OrderView, display_quantity),
    ENGINE_FIELD(OrderView, participant), ENGINE_FIELD(OrderView, side), ENGINE_FIELD(OrderView, tif),
    ENGINE_FIELD(OrderView, stp), ENGINE_FIELD(OrderView, post_only), ENGINE_FIELD(OrderView, flags),
    ENGINE_FIELD(OrderView, lock_cross), ENGINE_FIELD(OrderView, repriced),
    ENGINE_FIELD(QuoteUpdate, ts), ENGINE_FIELD(QuoteUpdate, bid_price), ENGINE_FIELD(QuoteUpdate, bid_size),
    ENGINE_FIELD(QuoteUpdate, ask_price), ENGINE_FIELD(QuoteUpdate, ask_size), ENGINE_FIELD(QuoteUpdate, venue),
    ENGINE_FIELD(QuoteUpdate, feed), ENGINE_FIELD(QuoteUpdate, condition), ENGINE_FIELD(QuoteUpdate, flags),
    ENGINE_FIELD(QuoteUpdate, reserved),
    ENGINE_FIELD(FeedMessage, ts), ENGINE_FIELD(FeedMessage, order_id), ENGINE_FIELD(FeedMessage, new_order_id),
    ENGINE_FIELD(FeedMessage, price), ENGINE_FIELD(FeedMessage, quantity), ENGINE_FIELD(FeedMessage, locate),
    ENGINE_FIELD(FeedMessage, kind), ENGINE_FIELD(FeedMessage, side), ENGINE_FIELD(FeedMessage, code),
};
#undef ENGINE_FIELD
inline constexpr std::size_t kFieldCount = std::size(kFields);

struct RecordEntry {
    const char* record;
    std::size_t size;
};
inline constexpr RecordEntry kRecords[] = {
    {"Command", sizeof(Command)}, {"Event", sizeof(Event)},
    {"LevelView", sizeof(LevelView)}, {"OrderView", sizeof(OrderView)}, {"QuoteUpdate", sizeof(QuoteUpdate)},
    {"FeedMessage", sizeof(FeedMessage)},
};
inline constexpr std::size_t kRecordCount = std::size(kRecords);

}  // namespace engine::introspect
