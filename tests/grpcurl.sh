#!/usr/bin/env bash
# The grpcurl suite: drives a real server through reflection only (no .proto files), the way
# a test team would. Usage: tests/grpcurl.sh [path/to/watchlist]. Needs grpcurl on PATH.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/watchlist}
token=grpcurl-suite-token
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
addr=127.0.0.1:$port
log=$(mktemp)
# A second client for the watches: it may watch, and must not see the admin's watch.
other=grpcurl-other-token
clients=$(mktemp)
printf '[[clients]]\nid = "other"\ntoken_sha256 = "%s"\nroles = ["watch"]\n' \
  "$(printf %s "$other" | sha256sum | cut -d' ' -f1)" >"$clients"
WATCHLIST_ADMIN_TOKEN=$token "$bin" serve --listen "$addr" --seeds seeds --clients "$clients" --heartbeat-secs 1 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log" "$clients"' EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; echo "$2" | head -20 | sed 's/^/     /'; }
# check NAME EXPECTED-SUBSTRING -- grpcurl args...: passes when grpcurl succeeds and prints it.
check() {
  local name=$1 want=$2; shift 3
  local out
  if out=$(grpcurl "$@" 2>&1) && grep -qF -- "$want" <<<"$out"; then ok "$name"; else bad "$name" "$out"; fi
}
# streams NAME EXPECTED-SUBSTRING -- grpcurl args...: a stream read until -max-time ends it
# (grpcurl then exits non-zero with DeadlineExceeded); passes when it printed the substring.
streams() {
  local name=$1 want=$2; shift 3
  local out
  out=$(grpcurl "$@" 2>&1)
  if grep -qF -- "$want" <<<"$out"; then ok "$name"; else bad "$name" "$out"; fi
}
# fails NAME EXPECTED-SUBSTRING -- grpcurl args...: passes when grpcurl fails and prints it.
fails() {
  local name=$1 want=$2; shift 3
  local out
  if ! out=$(grpcurl "$@" 2>&1) && grep -qF -- "$want" <<<"$out"; then ok "$name"; else bad "$name" "$out"; fi
}

# A debug build loads the seeds in several seconds; wait up to a minute for SERVING.
for _ in $(seq 600); do
  grpcurl -plaintext "$addr" grpc.health.v1.Health/Check 2>/dev/null | grep -q '"SERVING"' && break
  sleep 0.1
done

P=(-plaintext)
check "health is SERVING" '"status": "SERVING"' -- "${P[@]}" "$addr" grpc.health.v1.Health/Check
for service in watchlist.v1.Screening watchlist.v1.Catalog watchlist.v1.Changes watchlist.v1.Admin watchlist.v1.Watches grpc.health.v1.Health; do
  check "reflection lists $service" "$service" -- "${P[@]}" "$addr" list
done
check "describe documents the request" "The name to screen" -- "${P[@]}" "$addr" describe watchlist.v1.ScreenRequest
check "describe health works" "rpc Check" -- "${P[@]}" "$addr" describe grpc.health.v1.Health

check "screen Kharon (PRC MFA)" '"id": "CN-MFA-AFSL:kharon"' -- "${P[@]}" -d '{"name": "Kharon", "request_id": "r1"}' "$addr" watchlist.v1.Screening/Screen
check "screen echoes request_id" '"requestId": "r1"' -- "${P[@]}" -d '{"name": "Kharon", "request_id": "r1"}' "$addr" watchlist.v1.Screening/Screen
check "screen Edmund Xu in Chinese" '"id": "CN-MFA-AFSL:edmund-xu"' -- "${P[@]}" -d '{"name": "许勐"}' "$addr" watchlist.v1.Screening/Screen
check "screen CloudWalk (US EL)" '"id": "US-BIS-EL:cloudwalk-technology"' -- "${P[@]}" -d '{"name": "CloudWalk Technology"}' "$addr" watchlist.v1.Screening/Screen
check "screen Huawei in Chinese" '"id": "US-BIS-EL:huawei-technologies"' -- "${P[@]}" -d '{"name": "华为技术有限公司"}' "$addr" watchlist.v1.Screening/Screen
check "screen with a side filter" '"imposingCountry": "CN"' -- "${P[@]}" -d '{"name": "Lockheed Martin", "imposed_by": ["CN"]}' "$addr" watchlist.v1.Screening/Screen
check "unlisted name has no matches" '"algorithmVersion"' -- "${P[@]}" -d '{"name": "Acme Bakery Supplies"}' "$addr" watchlist.v1.Screening/Screen
out=$(grpcurl "${P[@]}" -d '{"name": "Acme Bakery Supplies"}' "$addr" watchlist.v1.Screening/Screen 2>&1)
if grep -q '"matches"' <<<"$out"; then bad "unlisted name returns no match" "$out"; else ok "unlisted name returns no match"; fi
fails "empty name is InvalidArgument" "InvalidArgument" -- "${P[@]}" -d '{"name": ""}' "$addr" watchlist.v1.Screening/Screen
fails "unknown list is InvalidArgument" "unknown list code" -- "${P[@]}" -d '{"name": "Huawei", "lists": ["XX"]}' "$addr" watchlist.v1.Screening/Screen
check "screen stream answers each item" '"requestId": "b"' -- "${P[@]}" -d '{"name": "Kharon", "request_id": "a"} {"name": "", "request_id": "b"}' "$addr" watchlist.v1.Screening/ScreenStream

check "list sources" '"code": "CN-MOFCOM-UEL"' -- "${P[@]}" -d '{}' "$addr" watchlist.v1.Catalog/ListSources
check "list sources shows the seeds source" '"state": "SOURCE_STATE_OK"' -- "${P[@]}" -d '{}' "$addr" watchlist.v1.Catalog/ListSources
check "per-source health" '"status": "SERVING"' -- "${P[@]}" -d '{"service": "watchlist.source.seeds"}' "$addr" grpc.health.v1.Health/Check
check "get entity" '"primaryName": "Nicole Morgret"' -- "${P[@]}" -d '{"id": "CN-MFA-AFSL:nicole-morgret"}' "$addr" watchlist.v1.Catalog/GetEntity
fails "unknown entity is NotFound" "NotFound" -- "${P[@]}" -d '{"id": "nope"}' "$addr" watchlist.v1.Catalog/GetEntity
check "list entities pages" '"nextPageToken"' -- "${P[@]}" -d '{"lists": ["US-BIS-EL"], "page_size": 2}' "$addr" watchlist.v1.Catalog/ListEntities
fails "bad page token is InvalidArgument" "page_token" -- "${P[@]}" -d '{"page_token": "junk"}' "$addr" watchlist.v1.Catalog/ListEntities

upsert='{"entities": [{"id": "GRPCURL:quuxcorp", "type": "ENTITY_TYPE_ORGANIZATION", "primary_name": "Quuxcorp Avionics", "listings": [{"list_code": "CN-MOFCOM-UEL", "listed_on": "2026-11-23", "citation": "grpcurl suite"}]}]}'
fails "admin without token is Unauthenticated" "Unauthenticated" -- "${P[@]}" -d "$upsert" "$addr" watchlist.v1.Admin/UpsertEntities
fails "admin with a wrong token is Unauthenticated" "Unauthenticated" -- "${P[@]}" -H "authorization: Bearer wrong" -d "$upsert" "$addr" watchlist.v1.Admin/UpsertEntities

# A subscription from now, then a write: the subscriber must see it.
events=$(mktemp)
grpcurl "${P[@]}" -max-time 5 -d '{}' "$addr" watchlist.v1.Changes/Subscribe >"$events" 2>&1 &
sub=$!
sleep 1
check "admin upsert with token" '"added": 1' -- "${P[@]}" -H "authorization: Bearer $token" -d "$upsert" "$addr" watchlist.v1.Admin/UpsertEntities
check "screening sees the upsert" '"id": "GRPCURL:quuxcorp"' -- "${P[@]}" -d '{"name": "Quuxcorp Avionics"}' "$addr" watchlist.v1.Screening/Screen
wait $sub
if grep -q '"CHANGE_TYPE_ADDED"' "$events" && grep -q 'GRPCURL:quuxcorp' "$events"; then ok "subscriber sees the upsert"; else bad "subscriber sees the upsert" "$(cat "$events")"; fi
streams "replay from sequence 0" '"sequence": "1"' -- "${P[@]}" -max-time 2 -d '{"from_sequence": 0, "lists": ["CN-MFA-AFSL"]}' "$addr" watchlist.v1.Changes/Subscribe
rm -f "$events"
check "admin remove" '"removed": 1' -- "${P[@]}" -H "authorization: Bearer $token" -d '{"ids": ["GRPCURL:quuxcorp"]}' "$addr" watchlist.v1.Admin/RemoveEntities
check "reload an unchanged source" '"id": "seeds"' -- "${P[@]}" -H "authorization: Bearer $token" -d '{"source_id": "seeds"}' "$addr" watchlist.v1.Admin/ReloadSource
fails "reload an unknown source is NotFound" "configured sources: seeds" -- "${P[@]}" -H "authorization: Bearer $token" -d '{"source_id": "nope"}' "$addr" watchlist.v1.Admin/ReloadSource

# Standing watches, end to end. The admin token is the client "admin" (roles admin and watch).
A=(-H "authorization: Bearer $token")
O=(-H "authorization: Bearer $other")
book='{"name": "suppliers", "parties": [{"reference": "c1", "name": "CloudWalk Technology"}, {"reference": "c2", "name": "Acme Bakery Supplies"}, {"reference": "z1", "name": "Zyxquon Maritime Shipping"}]}'
created=$(grpcurl "${P[@]}" "${A[@]}" -d "$book" "$addr" watchlist.v1.Watches/CreateWatch 2>&1)
if grep -qF '"partyCount": "3"' <<<"$created"; then ok "create a watch"; else bad "create a watch" "$created"; fi
watch=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$created" 2>/dev/null || echo none)
W="\"watch_id\": \"$watch\""
check "get the watch" '"WATCH_STATE_CURRENT"' -- "${P[@]}" "${A[@]}" -d "{$W}" "$addr" watchlist.v1.Watches/GetWatch
check "list my watches" "\"id\": \"$watch\"" -- "${P[@]}" "${A[@]}" -d '{}' "$addr" watchlist.v1.Watches/ListWatches
check "list the watch's hits" '"id": "US-BIS-EL:cloudwalk-technology"' -- "${P[@]}" "${A[@]}" -d "{$W}" "$addr" watchlist.v1.Watches/ListHits
streams "creation alerts NEW_HIT" '"kind": "NEW_HIT"' -- "${P[@]}" "${A[@]}" -max-time 2 -d "{$W, \"from_alert\": 0}" "$addr" watchlist.v1.Watches/Alerts
zyx='{"entities": [{"id": "GRPCURL:zyxquon", "type": "ENTITY_TYPE_ORGANIZATION", "primary_name": "Zyxquon Maritime Shipping Co., Ltd.", "listings": [{"list_code": "CN-MOFCOM-UEL", "listed_on": "2026-12-07", "citation": "grpcurl suite"}]}]}'
check "a listing that matches the book" '"added": 1' -- "${P[@]}" "${A[@]}" -d "$zyx" "$addr" watchlist.v1.Admin/UpsertEntities
sleep 1
streams "the new listing alerts its party" '"partyReference": "z1"' -- "${P[@]}" "${A[@]}" -max-time 2 -d "{$W, \"from_alert\": 1}" "$addr" watchlist.v1.Watches/Alerts
check "decide a false positive" '"FALSE_POSITIVE"' -- "${P[@]}" "${A[@]}" -d "{$W, \"party_reference\": \"c1\", \"entity_id\": \"US-BIS-EL:cloudwalk-technology\", \"decision\": \"FALSE_POSITIVE\", \"note\": \"another CloudWalk\"}" "$addr" watchlist.v1.Watches/DecideHit
check "add a party" '"partyCount": "4"' -- "${P[@]}" "${A[@]}" -d "{$W, \"parties\": [{\"reference\": \"c3\", \"name\": \"Kharon\"}]}" "$addr" watchlist.v1.Watches/AddParties
fails "a duplicate reference is InvalidArgument" "already in the watch" -- "${P[@]}" "${A[@]}" -d "{$W, \"parties\": [{\"reference\": \"c3\", \"name\": \"Kharon\"}]}" "$addr" watchlist.v1.Watches/AddParties
check "remove a party" '"partyCount": "3"' -- "${P[@]}" "${A[@]}" -d "{$W, \"references\": [\"c2\"]}" "$addr" watchlist.v1.Watches/RemoveParties
check "a delisting" '"removed": 1' -- "${P[@]}" "${A[@]}" -d '{"ids": ["GRPCURL:zyxquon"]}' "$addr" watchlist.v1.Admin/RemoveEntities
sleep 1
streams "the delisting alerts CLEARED" '"kind": "CLEARED"' -- "${P[@]}" "${A[@]}" -max-time 2 -d "{$W, \"from_alert\": 0}" "$addr" watchlist.v1.Watches/Alerts
fails "another client gets NotFound" "NotFound" -- "${P[@]}" "${O[@]}" -d "{$W}" "$addr" watchlist.v1.Watches/GetWatch
fails "watches without a token are Unauthenticated" "Unauthenticated" -- "${P[@]}" -d '{}' "$addr" watchlist.v1.Watches/ListWatches
fails "a threshold above 1 is InvalidArgument" "threshold" -- "${P[@]}" "${A[@]}" -d '{"name": "x", "threshold": 1.5}' "$addr" watchlist.v1.Watches/CreateWatch
check "delete the watch" '"partyCount": "3"' -- "${P[@]}" "${A[@]}" -d "{$W}" "$addr" watchlist.v1.Watches/DeleteWatch

echo
echo "grpcurl: $passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then echo "server log:"; tail -40 "$log"; fi
[ "$failed" -eq 0 ]
