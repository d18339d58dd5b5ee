#!/usr/bin/env bash
# Outside-client acceptance check of the Steam emulator, following steam.md only (no repo code).
#
#   tools/steam-emulator/scripts/acceptance.sh [BASE_URL]      # default http://127.0.0.1:3090
#
# Needs bash, curl, jq, openssl, xxd, base64. Uses the documented control API (/_emulator) only to list accounts
# (credentials, trade tokens, identity secrets), to mark an inventory private, to tighten the inventory rate
# limit and to get a browser auto-approved by the OpenID page; everything it changes is restored on exit.
# Side effect that stays: one 1-for-1 trade between a bot and a user (both keep their item counts).
# Prints every step; exits non-zero on the first failed check.
set -euo pipefail

E="${1:-${EMULATOR_URL:-http://127.0.0.1:3090}}"
E="${E%/}"
for bin in curl jq openssl xxd base64; do
  command -v "$bin" >/dev/null || {
    echo "missing dependency: $bin" >&2
    exit 2
  }
done

TMP="$(mktemp -d)"
PASS=0
STEP=0
step() {
  STEP=$((STEP + 1))
  printf '\n== %d. %s\n' "$STEP" "$*"
}
ok() {
  PASS=$((PASS + 1))
  printf '  ok   %s\n' "$*"
}
fail() {
  printf '  FAIL %s\n' "$*" >&2
  exit 1
}
check() { # check "description" jq-filter file  — the filter must output true
  local desc="$1" filter="$2" file="$3"
  if [[ "$(jq -e "$filter" "$file" 2>/dev/null)" == "true" ]]; then ok "$desc"; else
    printf '  body: %s\n' "$(head -c 600 "$file")" >&2
    fail "$desc"
  fi
}
eq() { # eq "description" actual expected
  if [[ "$2" == "$3" ]]; then ok "$1 ($2)"; else fail "$1: got '$2', expected '$3'"; fi
}

# ---- restore what we change, whatever happens ----------------------------------------------------------------
ORIG_SETTINGS=""
PRIVATE_RESTORE=""
cleanup() {
  local rc=$?
  if [[ -n "$ORIG_SETTINGS" ]]; then
    curl -s -o /dev/null -X PUT -H 'content-type: application/json' --data "$ORIG_SETTINGS" "$E/_emulator/settings" || true
  fi
  if [[ -n "$PRIVATE_RESTORE" ]]; then
    curl -s -o /dev/null -X PATCH -H 'content-type: application/json' --data '{"privateInventory":false}' \
      "$E/_emulator/accounts/$PRIVATE_RESTORE" || true
  fi
  curl -s -o /dev/null -X DELETE "$E/_emulator/faults/inventory" || true
  rm -rf "$TMP"
  if [[ $rc -eq 0 ]]; then printf '\nPASS: %d checks against %s\n' "$PASS" "$E"; else
    printf '\nFAILED after %d passing checks (step %d) against %s\n' "$PASS" "$STEP" "$E" >&2
  fi
}
trap cleanup EXIT

# curl wrapper: body to $TMP/body, headers to $TMP/headers, prints the status code.
req() { curl -s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' "$@"; }
header() { grep -i "^$1:" "$TMP/headers" | head -1 | cut -d: -f2- | tr -d ' \r'; }
urldecode() {
  local s="${1//+/ }"
  printf '%b' "${s//%/\\x}"
}

# ---- accounts ----------------------------------------------------------------------------------------------
step "Accounts from the control API ($E/_emulator/accounts)"
code=$(req "$E/_emulator/accounts?kind=bot") || fail "emulator not reachable at $E"
eq "GET /_emulator/accounts?kind=bot" "$code" 200
BOT=$(jq -c '.accounts | max_by(.inventoryCounts["2"] + .inventoryCounts["16"])' "$TMP/body")
req "$E/_emulator/accounts?kind=user" >/dev/null
# A user with a mobile authenticator: it confirms its acceptance on its phone (steam.md §4.3, §6.1).
USR=$(jq -c '[.accounts[] | select((.privateInventory | not) and .identitySecret != "")] | max_by(.inventoryCounts["2"])' "$TMP/body")
USR2=$(jq -c --argjson u "$USR" '[.accounts[] | select(.steamid != $u.steamid)][0]' "$TMP/body")
BOT_SID=$(jq -r .steamid <<<"$BOT")
BOT_SLS=$(jq -r .steamLoginSecure <<<"$BOT")
BOT_AT=$(jq -r .accessToken <<<"$BOT")
BOT_IDSEC=$(jq -r .identitySecret <<<"$BOT")
BOT_TOTAL=$(jq -r '.inventoryCounts["2"] + .inventoryCounts["16"]' <<<"$BOT")
USR_SID=$(jq -r .steamid <<<"$USR")
USR_SLS=$(jq -r .steamLoginSecure <<<"$USR")
USR_AT=$(jq -r .accessToken <<<"$USR")
USR_TOKEN=$(jq -r .tradeToken <<<"$USR")
USR_IDSEC=$(jq -r .identitySecret <<<"$USR")
USR2_SID=$(jq -r .steamid <<<"$USR2")
[[ -n "$BOT_IDSEC" && -n "$USR_IDSEC" && "$BOT_SID" =~ ^7656[0-9]{13}$ && "$USR_SID" =~ ^7656[0-9]{13}$ ]] || fail "no usable bot/user"
USR_AID=$(jq -rn --arg s "$USR_SID" '($s | .[4:] | tonumber) - 1197960265728') # SteamID64 - 76561197960265728
eq "user accountid from SteamID64 (steam.md §2.1)" "$USR_AID" "$(jq -r .accountId <<<"$USR")"
ok "bot $BOT_SID ($BOT_TOTAL items in contexts 2+16), user $USR_SID (trade token $USR_TOKEN)"
SESS="acc$RANDOM$RANDOM"

# =============================================================================================================
step "OpenID 2.0: checkid_setup → login page, then approval → positive assertion (steam.md §1.1-1.2)"
NS='http://specs.openid.net/auth/2.0'
SEL='http://specs.openid.net/auth/2.0/identifier_select'
RETURN_TO="http://127.0.0.1:9/auth/steam/return?state=acc$RANDOM"
openid_start=(--data-urlencode "openid.ns=$NS" --data-urlencode "openid.mode=checkid_setup"
  --data-urlencode "openid.return_to=$RETURN_TO" --data-urlencode "openid.realm=http://127.0.0.1:9"
  --data-urlencode "openid.identity=$SEL" --data-urlencode "openid.claimed_id=$SEL")
code=$(req -G "${openid_start[@]}" "$E/openid/login")
eq "GET checkid_setup without a signed-in browser shows the login page" "$code" 200
grep -qi '<form' "$TMP/body" || fail "login page has no form"
ok "login page has a form"
# The browser is signed in as the user (documented per-browser auto-approval cookie), then retries.
curl -s -o /dev/null -c "$TMP/browser" "$E/_emulator/openid/auto?steamid=$USR_SID"
code=$(req -b "$TMP/browser" -G "${openid_start[@]}" "$E/openid/login")
eq "GET checkid_setup as a signed-in browser" "$code" 302
LOCATION=$(header location)
[[ "$LOCATION" == "${RETURN_TO}&"* ]] || fail "assertion does not go back to return_to (keeping its query): $LOCATION"
ok "302 to return_to, own query parameter preserved"
QUERY="${LOCATION#*\?}"
declare -A P=()
NAMES=()
IFS='&' read -r -a PAIRS <<<"$QUERY"
for pair in "${PAIRS[@]}"; do
  k=$(urldecode "${pair%%=*}")
  v=$(urldecode "${pair#*=}")
  [[ -v "P[$k]" ]] && fail "duplicate parameter $k"
  P[$k]="$v"
  NAMES+=("$k")
done
GOT_NAMES=$(printf '%s\n' "${NAMES[@]}" | grep '^openid\.' | sort | paste -sd, -)
eq "assertion parameter set (§1.2)" "$GOT_NAMES" \
  "openid.assoc_handle,openid.claimed_id,openid.identity,openid.mode,openid.ns,openid.op_endpoint,openid.response_nonce,openid.return_to,openid.sig,openid.signed"
eq "openid.ns" "${P[openid.ns]}" "$NS"
eq "openid.mode" "${P[openid.mode]}" "id_res"
eq "openid.op_endpoint" "${P[openid.op_endpoint]}" "https://steamcommunity.com/openid/login"
eq "openid.claimed_id" "${P[openid.claimed_id]}" "https://steamcommunity.com/openid/id/$USR_SID"
[[ "${P[openid.claimed_id]}" =~ ^https://steamcommunity\.com/openid/id/(7656[0-9]{13})/?$ ]] || fail "claimed_id regex"
eq "SteamID64 from claimed_id (§1.3 regex)" "${BASH_REMATCH[1]}" "$USR_SID"
eq "openid.identity == claimed_id" "${P[openid.identity]}" "${P[openid.claimed_id]}"
eq "openid.return_to is exactly what we sent" "${P[openid.return_to]}" "$RETURN_TO"
eq "openid.assoc_handle" "${P[openid.assoc_handle]}" "1234567890"
eq "openid.signed (XOID EXPECTED_SIGNED)" "${P[openid.signed]}" \
  "signed,op_endpoint,claimed_id,identity,return_to,response_nonce,assoc_handle"
[[ "${P[openid.sig]}" =~ ^[A-Za-z0-9+/]+=*$ ]] && ok "openid.sig is base64" || fail "openid.sig not base64"
NONCE="${P[openid.response_nonce]}"
[[ "$NONCE" =~ ^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z).+$ ]] || fail "nonce shape: $NONCE"
NONCE_T=$(date -u -d "${BASH_REMATCH[1]}" +%s)
req -X POST "$E/ITwoFactorService/QueryTime/v1/" >/dev/null
SERVER_T=$(jq -r '.response.server_time | tonumber' "$TMP/body")
((NONCE_T - SERVER_T <= 300 && SERVER_T - NONCE_T <= 300)) || fail "nonce time $NONCE_T vs server $SERVER_T"
ok "response_nonce = timestamp + random, fresh (|Δ| ≤ 300 s vs QueryTime)"

step "OpenID 2.0: check_authentication (steam.md §1.3) and replay"
CHECK_BODY=$(tr '&' '\n' <<<"$QUERY" | grep '^openid\.' | grep -v '^openid\.mode=' | paste -sd'&')
CHECK_BODY="openid.mode=check_authentication&$CHECK_BODY"
tampered_claim=$(jq -rn --arg s "$((USR_SID + 1))" '"https://steamcommunity.com/openid/id/\($s)" | @uri')
TAMPERED=$(sed -E "s#openid\.claimed_id=[^&]*#openid.claimed_id=$tampered_claim#; s#openid\.identity=[^&]*#openid.identity=$tampered_claim#" <<<"$CHECK_BODY")
code=$(req -X POST -H 'content-type: application/x-www-form-urlencoded' -H 'Origin: https://steamcommunity.com' \
  --data "$TAMPERED" "$E/openid/login")
grep -qx 'is_valid:false' "$TMP/body" || fail "tampered claimed_id accepted: $(cat "$TMP/body")"
ok "tampered claimed_id/identity ⇒ is_valid:false (HTTP $code)"
code=$(req -X POST -H 'content-type: application/x-www-form-urlencoded' --data "$CHECK_BODY" "$E/openid/login")
eq "POST check_authentication" "$code" 200
grep -qx "ns:$NS" "$TMP/body" || fail "no ns line: $(cat "$TMP/body")"
grep -qx 'is_valid:true' "$TMP/body" || fail "not is_valid:true: $(cat "$TMP/body")"
ok "KV body has ns:$NS and is_valid:true"
code=$(req -X POST -H 'content-type: application/x-www-form-urlencoded' --data "$CHECK_BODY" "$E/openid/login")
grep -qx 'is_valid:true' "$TMP/body" && fail "replayed assertion accepted"
grep -qx 'is_valid:false' "$TMP/body" || fail "replay answer is not KV is_valid:false: $(cat "$TMP/body")"
ok "replay of the same assertion ⇒ is_valid:false (HTTP $code)"

# =============================================================================================================
# Page checks shared by the inventory steps. $1 = page file, $2 = contextid, $3 = count.
check_page() {
  local f="$1" ctx="$2" count="$3"
  jq -e --arg ctx "$ctx" --argjson count "$count" '
    def s: type == "string";
    (.success == 1) and (.total_inventory_count | type == "number") and (.rwgrsn | type == "number")
    and ((.assets // []) | length <= $count)
    and all((.assets // [])[]; (.appid == 730) and (.contextid == $ctx) and (.assetid | s and test("^[0-9]+$"))
            and (.classid | s) and (.instanceid | s) and (.amount == "1"))
    and ((.descriptions // []) | map("\(.classid)_\(.instanceid)") | length == (unique | length))
    and all((.descriptions // [])[]; (.appid == 730) and (.classid | s) and (.instanceid | s)
            and (.tradable | type == "number") and (.market_hash_name | s) and (.tags | type == "array"))
    and ([(.assets // [])[] | "\(.classid)_\(.instanceid)"] | unique)
        == ([(.descriptions // [])[] | "\(.classid)_\(.instanceid)"] | unique)
    and ((.asset_properties // []) | map(.assetid) | length == (unique | length))
    and ([(.assets // [])[].assetid]) as $ids
    | all((.asset_properties // [])[]; (.appid == 730) and (.contextid == $ctx) and (.assetid as $a | $ids | index($a))
            and all(.asset_properties[]; (.propertyid | type == "number")
                    and (if has("int_value") then .int_value | s else true end)
                    and (if has("float_value") then .float_value | type == "number" else true end)))
    and (if .more_items then .more_items == 1 and .last_assetid == .assets[-1].assetid
         else has("last_assetid") | not end)
  ' "$f" >/dev/null || {
    printf '  page summary: %s\n' "$(jq -c '{assets: (.assets|length), descriptions: (.descriptions|length), more_items, last_assetid, total_inventory_count}' "$f")" >&2
    fail "page shape ($f)"
  }
}

# Pages an inventory with count=1000 following last_assetid. $1 steamid, $2 context, $3 cookie or "" ; sets PAGED_*.
page_inventory() {
  local sid="$1" ctx="$2" cookie="$3" start="" n=0 code
  : >"$TMP/ids-$sid-$ctx"
  PAGED_TOTAL=""
  while :; do
    n=$((n + 1))
    local args=(-G --data-urlencode l=english --data-urlencode count=1000)
    [[ -n "$start" ]] && args+=(--data-urlencode "start_assetid=$start")
    [[ -n "$cookie" ]] && args+=(-b "steamLoginSecure=$cookie")
    code=$(curl -s -o "$TMP/page" -w '%{http_code}' -H "Referer: https://steamcommunity.com/profiles/$sid/inventory" \
      "${args[@]}" "$E/inventory/$sid/730/$ctx")
    [[ "$code" == 200 ]] || fail "page $n of $sid/$ctx: HTTP $code"
    check_page "$TMP/page" "$ctx" 1000
    local t
    t=$(jq .total_inventory_count "$TMP/page")
    [[ -z "$PAGED_TOTAL" || "$PAGED_TOTAL" == "$t" ]] || fail "total_inventory_count changed between pages"
    PAGED_TOTAL="$t"
    jq -r '(.assets // [])[].assetid' "$TMP/page" >>"$TMP/ids-$sid-$ctx"
    cp "$TMP/page" "$TMP/page-$sid-$ctx-$n.json"
    printf '    page %d: %s\n' "$n" "$(jq -c '{assets: ((.assets // [])|length), descriptions: ((.descriptions // [])|length), asset_properties: ((.asset_properties // [])|length), more_items, last_assetid, total_inventory_count}' "$TMP/page")"
    [[ "$(jq -r '.more_items // 0' "$TMP/page")" == 1 ]] || break
    start=$(jq -r .last_assetid "$TMP/page")
    ((n < 100)) || fail "more than 100 pages"
  done
  PAGED_PAGES=$n
  PAGED_COUNT=$(wc -l <"$TMP/ids-$sid-$ctx")
  [[ "$(sort "$TMP/ids-$sid-$ctx" | uniq -d | wc -l)" == 0 ]] || fail "an assetid appears on two pages"
}

step "Inventory: page the bot's inventory as its owner, count=1000 + start_assetid (steam.md §3.1)"
page_inventory "$BOT_SID" 2 "$BOT_SLS"
C2_TOTAL=$PAGED_TOTAL
((PAGED_PAGES > 1)) || fail "expected several pages"
eq "assets over all pages == total_inventory_count (context 2)" "$PAGED_COUNT" "$C2_TOTAL"
ok "$PAGED_PAGES pages: ≤1000 assets each, more_items/last_assetid cursor, no assetid twice, descriptions unique by classid+instanceid and matching the page's assets, asset_properties well-typed"
check "asset_properties carry paint seed (1, int_value string) and float (2, float_value number)" \
  '[.asset_properties[].asset_properties[]] | (any(.propertyid == 1 and (.int_value | type == "string"))) and (any(.propertyid == 2 and (.float_value | type == "number")))' \
  "$TMP/page-$BOT_SID-2-1.json"
page_inventory "$BOT_SID" 16 "$BOT_SLS"
C16_TOTAL=$PAGED_TOTAL
eq "context 16 assets == its total_inventory_count" "$PAGED_COUNT" "$C16_TOTAL"
eq "contexts 2 + 16 == the account's item count" "$((C2_TOTAL + C16_TOTAL))" "$BOT_TOTAL"
BOT_ITEMS_BEFORE=$((C2_TOTAL + C16_TOTAL))
cp "$TMP/ids-$BOT_SID-2" "$TMP/bot-ids-before"
cat "$TMP/ids-$BOT_SID-16" >>"$TMP/bot-ids-before"

step "Inventory: the same inventory seen by a stranger (no cookie)"
page_inventory "$BOT_SID" 2 ""
eq "stranger's total_inventory_count == owner's" "$PAGED_TOTAL" "$C2_TOTAL"
((PAGED_COUNT <= C2_TOTAL)) || fail "stranger sees more than the owner"
ok "stranger sees $PAGED_COUNT of $C2_TOTAL (trade-locked items hidden from others, §3.1)"
code=$(req "$E/inventory/$BOT_SID/730/16?l=english&count=1000")
check "context 16 is owner-only: a stranger gets no assets" '(.assets // []) | length == 0' "$TMP/body"

step "Inventory: count=1001 ⇒ HTTP 400 (steam.md §3.1)"
code=$(req "$E/inventory/$BOT_SID/730/2?l=english&count=1001")
eq "count=1001" "$code" 400
code=$(req "$E/inventory/$BOT_SID/730/2?l=english&count=1000")
eq "count=1000 still fine" "$code" 200

step "Inventory: private inventory ⇒ HTTP 403 with body null"
curl -s -o /dev/null -X PATCH -H 'content-type: application/json' --data '{"privateInventory":true}' \
  "$E/_emulator/accounts/$USR2_SID"
PRIVATE_RESTORE="$USR2_SID"
code=$(req "$E/inventory/$USR2_SID/730/2?l=english&count=1000")
eq "stranger reading a private inventory" "$code" 403
eq "body" "$(tr -d ' \n' <"$TMP/body")" "null"
curl -s -o /dev/null -X PATCH -H 'content-type: application/json' --data '{"privateInventory":false}' \
  "$E/_emulator/accounts/$USR2_SID"
PRIVATE_RESTORE=""
code=$(req "$E/inventory/$USR2_SID/730/2?l=english&count=1000")
eq "public again" "$code" 200

step "Inventory: a burst from one IP ⇒ HTTP 429 (per-IP throttle, steam.md §3.1)"
ORIG_SETTINGS=$(curl -s "$E/_emulator/settings" | jq -c '{inventoryRateLimit}')
curl -s -o /dev/null -X PUT -H 'content-type: application/json' \
  --data '{"inventoryRateLimit":{"refillPerSecond":0.5,"burst":5}}' "$E/_emulator/settings"
codes=""
for i in $(seq 1 15); do
  codes+="$(curl -s -o "$TMP/burst-$i" -w '%{http_code}' "$E/inventory/$USR_SID/730/2?l=english&count=10") "
done
printf '    codes: %s\n' "$codes"
[[ "$codes" == 200* ]] || fail "first request of the burst was not 200"
[[ "$codes" == *429* ]] || fail "no 429 in a burst of 15"
ok "burst of 15 ⇒ 429 after the bucket empties"
curl -s -o /dev/null -X PUT -H 'content-type: application/json' --data "$ORIG_SETTINGS" "$E/_emulator/settings"
ORIG_SETTINGS=""
curl -s -o /dev/null -X PUT -H 'content-type: application/json' --data '{"burst429":1}' "$E/_emulator/faults/inventory"
code=$(req "$E/inventory/$USR_SID/730/2?l=english&count=10")
eq "fault rule burst429:1 ⇒ next request" "$code" 429
code=$(req "$E/inventory/$USR_SID/730/2?l=english&count=10")
eq "then back to normal" "$code" 200
curl -s -o /dev/null -X DELETE "$E/_emulator/faults/inventory"

# =============================================================================================================
step "Trade: pick one tradable item on each side (owner views, description tradable == 1)"
pick_tradable() { # $1 page file → first context-2 asset whose description is tradable (and not a storage unit)
  jq -r '(.descriptions | map(select(.tradable == 1 and (.market_hash_name != "Storage Unit")))
          | map("\(.classid)_\(.instanceid)")) as $ok
         | [.assets[] | select(("\(.classid)_\(.instanceid)") as $k | $ok | index($k))][0].assetid // empty' "$1"
}
BOT_ASSET=$(pick_tradable "$TMP/page-$BOT_SID-2-1.json")
page_inventory "$USR_SID" 2 "$USR_SLS" >/dev/null
USR_C2_BEFORE=$PAGED_TOTAL
cp "$TMP/ids-$USR_SID-2" "$TMP/usr-ids-before"
USR_ASSET=$(pick_tradable "$TMP/page-$USR_SID-2-1.json")
page_inventory "$USR_SID" 16 "$USR_SLS" >/dev/null
USR_C16_BEFORE=$PAGED_TOTAL
cat "$TMP/ids-$USR_SID-16" >>"$TMP/usr-ids-before"
[[ -n "$BOT_ASSET" && -n "$USR_ASSET" ]] || fail "no tradable item found"
ok "bot gives $BOT_ASSET, user gives $USR_ASSET"

json_offer() { # bot gives BOT_ASSET, receives USR_ASSET (§4.2 json_tradeoffer)
  jq -cn --arg g "$BOT_ASSET" --arg r "$USR_ASSET" '{newversion: true, version: 3,
    me: {assets: [{appid: 730, contextid: "2", amount: 1, assetid: $g}], currency: [], ready: false},
    them: {assets: [{appid: 730, contextid: "2", amount: 1, assetid: $r}], currency: [], ready: false}}'
}
send_offer() { # $1 token
  req -b "sessionid=$SESS; steamLoginSecure=$BOT_SLS" \
    -H "Referer: https://steamcommunity.com/tradeoffer/new/?partner=$USR_AID&token=$1" \
    -H 'Origin: https://steamcommunity.com' \
    --data-urlencode "sessionid=$SESS" --data-urlencode serverid=1 --data-urlencode "partner=$USR_SID" \
    --data-urlencode "tradeoffermessage=acceptance $RANDOM" --data-urlencode captcha= \
    --data-urlencode "json_tradeoffer=$(json_offer)" \
    --data-urlencode "trade_offer_create_params={\"trade_offer_access_token\":\"$1\"}" \
    "$E/tradeoffer/new/send"
}
strerror_eresult() { jq -r '.strError | capture("\\((?<n>[0-9]+)\\)$").n' "$TMP/body"; }

step "Trade: send with a wrong trade token ⇒ refused (steam.md §2.2, §4.2: HTTP 500 strError … (15))"
code=$(send_offer "WRONG${USR_TOKEN:0:3}")
eq "HTTP status" "$code" 500
check 'body is {"strError":"… (N)"}' '(keys == ["strError"]) and (.strError | test("\\(\\d+\\)$"))' "$TMP/body"
eq "EResult in strError" "$(strerror_eresult)" 15

step "Trade: send with the user's trade token (steam.md §4.2)"
code=$(send_offer "$USR_TOKEN")
eq "HTTP status" "$code" 200
check '{tradeofferid: string, needs_mobile_confirmation: true, needs_email_confirmation: false}' \
  '(.tradeofferid | type == "string" and test("^[0-9]+$")) and .needs_mobile_confirmation == true and .needs_email_confirmation == false' "$TMP/body"
OFFER=$(jq -r .tradeofferid "$TMP/body")
get_offer() { req -G --data-urlencode "access_token=$1" --data-urlencode "tradeofferid=$OFFER" \
  "$E/IEconService/GetTradeOffer/v1/" >/dev/null; }
get_offer "$BOT_AT"
eq "x-eresult on GetTradeOffer" "$(header x-eresult)" 1
eq "offer state after send (9 CreatedNeedsConfirmation)" "$(jq .response.offer.trade_offer_state "$TMP/body")" 9
req -G --data-urlencode "access_token=$USR_AT" --data-urlencode get_received_offers=1 --data-urlencode active_only=1 \
  "$E/IEconService/GetTradeOffers/v1/" >/dev/null
check "the unconfirmed offer is invisible to the partner (§4.5 state 9)" \
  "[(.response.trade_offers_received // [])[].tradeofferid] | index(\"$OFFER\") == null" "$TMP/body"

step "Mobile confirmation with an HMAC-SHA1 key of identity_secret (steam.md §6.2-6.3)"
conf_key() { # $1 base64 secret, $2 time, $3 tag → base64(HMAC-SHA1(secret, 8-byte BE time ‖ tag))
  { printf '%016x' "$2" | xxd -r -p; printf '%s' "$3"; } |
    openssl dgst -sha1 -mac HMAC -macopt "hexkey:$(base64 -d <<<"$1" | xxd -p -c 256)" -binary | base64
}
req -X POST "$E/ITwoFactorService/QueryTime/v1/" >/dev/null
T=$(jq -r '.response.server_time | tonumber' "$TMP/body")
device_id() { # $1 steamid64 → "android:" + sha1 formatted 8-4-4-4-12 (steam.md §6.2)
  printf 'android:%s' "$(printf '%s' "$1" | openssl dgst -sha1 -r | cut -c1-32 | sed -E 's/(.{8})(.{4})(.{4})(.{4})(.{12})/\1-\2-\3-\4-\5/')"
}
MC_SID=$BOT_SID MC_SLS=$BOT_SLS # whose phone mobileconf() is
mobileconf() { # $1 path, $2 time, $3 tag, $4 key, rest: extra curl args
  local path="$1" t="$2" tag="$3" k="$4"
  shift 4
  req -G -b "steamLoginSecure=$MC_SLS" -A 'okhttp/4.9.2' --data-urlencode "p=$(device_id "$MC_SID")" --data-urlencode "a=$MC_SID" \
    --data-urlencode "k=$k" --data-urlencode "t=$t" --data-urlencode m=react --data-urlencode "tag=$tag" "$@" \
    "$E/mobileconf/$path"
}
offer_confirmation() { # CID/CK of the confirmation for $OFFER in the getlist body just read
  CID=$(jq -r ".conf[] | select(.creator_id == \"$OFFER\") | .id" "$TMP/body")
  CK=$(jq -r ".conf[] | select(.creator_id == \"$OFFER\") | .nonce" "$TMP/body")
}
allow_confirmation() { # $1 identity secret, $2 time, $3 tag: ajaxop op=allow for CID/CK
  mobileconf ajaxop "$2" "$3" "$(conf_key "$1" "$2" "$3")" \
    --data-urlencode op=allow --data-urlencode "cid=$CID" --data-urlencode "ck=$CK" >/dev/null
}
WRONG_SECRET=$(printf 'not-the-identity-secret' | base64)
mobileconf getlist "$T" list "$(conf_key "$WRONG_SECRET" "$T" list)" >/dev/null
check "getlist with a key from the wrong secret ⇒ success:false" '.success == false' "$TMP/body"
mobileconf getlist "$T" list "$(conf_key "$BOT_IDSEC" "$T" list)" >/dev/null
check "getlist ⇒ success:true and a trade confirmation whose creator_id is the offer" \
  ".success == true and any(.conf[]; .creator_id == \"$OFFER\" and .type == 2 and (.id | type == \"string\") and (.nonce | type == \"string\"))" "$TMP/body"
offer_confirmation
allow_confirmation "$WRONG_SECRET" "$((T + 1))" allow
check "ajaxop allow with a wrong key ⇒ success:false" '.success == false' "$TMP/body"
get_offer "$BOT_AT"
eq "offer still 9 after the refused key" "$(jq .response.offer.trade_offer_state "$TMP/body")" 9
allow_confirmation "$BOT_IDSEC" "$((T + 2))" allow
check "ajaxop allow with the right key ⇒ success:true" '.success == true' "$TMP/body"
get_offer "$BOT_AT"
eq "offer state after confirmation (2 Active)" "$(jq .response.offer.trade_offer_state "$TMP/body")" 2

step "Trade: the user accepts, giving an item ⇒ its own mobile confirmation first (steam.md §4.3, §6.1)"
accept() {
  req -b "sessionid=$SESS; steamLoginSecure=$USR_SLS" -H "Referer: https://steamcommunity.com/tradeoffer/$OFFER/" \
    -H 'Origin: https://steamcommunity.com' \
    --data-urlencode "sessionid=$SESS" --data-urlencode serverid=1 --data-urlencode "tradeofferid=$OFFER" \
    --data-urlencode "partner=$BOT_SID" --data-urlencode captcha= "$E/tradeoffer/$OFFER/accept"
}
code=$(accept)
eq "HTTP status" "$code" 200
check '{needs_mobile_confirmation: true, needs_email_confirmation: false}, no tradeid yet' \
  '.needs_mobile_confirmation == true and .needs_email_confirmation == false and (has("tradeid") | not)' "$TMP/body"
get_offer "$BOT_AT"
eq "offer still 2 Active while the acceptance waits" "$(jq .response.offer.trade_offer_state "$TMP/body")" 2
MC_SID=$USR_SID MC_SLS=$USR_SLS
mobileconf getlist "$((T + 3))" list "$(conf_key "$USR_IDSEC" "$((T + 3))" list)" >/dev/null
check "the user's getlist holds the acceptance (creator_id = offer)" \
  ".success == true and any(.conf[]; .creator_id == \"$OFFER\")" "$TMP/body"
offer_confirmation
allow_confirmation "$USR_IDSEC" "$((T + 4))" accept
check "the user allows it with its identity_secret ⇒ success:true" '.success == true' "$TMP/body"
get_offer "$BOT_AT"
TRADEID=$(jq -r '.response.offer.tradeid // empty' "$TMP/body")
[[ "$TRADEID" =~ ^[0-9]+$ ]] || fail "no tradeid after the confirmation: $(jq -c .response.offer "$TMP/body")"
ok "trade $TRADEID executed on the confirmation"
code=$(accept)
eq "accepting twice ⇒ HTTP 500" "$code" 500
check 'body {"strError":"There was an error accepting this trade offer.  Please try again later. (N)"}' \
  '.strError | test("^There was an error accepting this trade offer\\.  Please try again later\\. \\(\\d+\\)$")' "$TMP/body"
ok "second accept refused with EResult $(strerror_eresult)"

step "Trade: GetTradeOffer ⇒ state 3 + tradeid, CEcon_TradeOffer shape (steam.md §4.4-4.5)"
get_offer "$BOT_AT"
eq "x-eresult" "$(header x-eresult)" 1
eq "trade_offer_state (3 Accepted)" "$(jq .response.offer.trade_offer_state "$TMP/body")" 3
eq "tradeid" "$(jq -r .response.offer.tradeid "$TMP/body")" "$TRADEID"
jq -e --arg g "$BOT_ASSET" --arg r "$USR_ASSET" --arg aid "$USR_AID" '
  .response.offer | (.tradeofferid | type == "string") and (.accountid_other == ($aid | tonumber))
  and (.message | type == "string") and (.expiration_time | type == "number") and (.is_our_offer == true)
  and (.time_created | type == "number") and (.time_updated | type == "number")
  and (.expiration_time - .time_created == 1209600)
  and (.from_real_time_trade == false) and (.escrow_end_date | type == "number")
  and (.confirmation_method == 2) and (.eresult | type == "number")
  and all((.items_to_give + .items_to_receive)[]; (.appid == 730) and (.contextid | type == "string")
      and (.assetid | type == "string") and (.classid | type == "string") and (.instanceid | type == "string")
      and (.amount | type == "string"))
  and (.items_to_give[0].assetid == $g) and (.items_to_receive[0].assetid == $r)' "$TMP/body" >/dev/null ||
  fail "CEcon_TradeOffer shape: $(jq -c .response.offer "$TMP/body")"
ok "CEcon_TradeOffer: ids strings, accountid_other = user's accountid, 14-day expiry, confirmation_method 2, items as sent"
get_offer "$USR_AT"
check "the user's view: is_our_offer false, sides flipped, same state and tradeid" \
  ".response.offer | .is_our_offer == false and .trade_offer_state == 3 and .tradeid == \"$TRADEID\" and .items_to_give[0].assetid == \"$USR_ASSET\" and .items_to_receive[0].assetid == \"$BOT_ASSET\"" "$TMP/body"

step "Trade: GetTradeStatus ⇒ new_assetid / new_contextid (steam.md §4.4, §4.7)"
req -G --data-urlencode "access_token=$BOT_AT" --data-urlencode "tradeid=$TRADEID" "$E/IEconService/GetTradeStatus/v1/" >/dev/null
eq "x-eresult" "$(header x-eresult)" 1
jq -e --arg g "$BOT_ASSET" --arg r "$USR_ASSET" --arg u "$USR_SID" --arg t "$TRADEID" '
  .response.trades | length == 1 and (.[0] | (.tradeid == $t) and (.steamid_other == $u)
    and (.status == 3) and (.time_init | type == "number")
    and (.assets_given | length == 1) and (.assets_received | length == 1)
    and (.assets_given[0].assetid == $g) and (.assets_received[0].assetid == $r)
    and all((.assets_given + .assets_received)[]; (.appid == 730) and (.contextid == "2")
        and (.amount | type == "string") and (.classid | type == "string") and (.instanceid | type == "string")
        and (.new_assetid | type == "string" and test("^[0-9]+$")) and (.new_contextid | type == "string")
        and (.new_assetid != .assetid)))' "$TMP/body" >/dev/null ||
  fail "trade element: $(jq -c .response "$TMP/body")"
BOT_NEW=$(jq -r '.response.trades[0].assets_received[0].new_assetid' "$TMP/body")
BOT_NEW_CTX=$(jq -r '.response.trades[0].assets_received[0].new_contextid' "$TMP/body")
USR_NEW=$(jq -r '.response.trades[0].assets_given[0].new_assetid' "$TMP/body")
USR_NEW_CTX=$(jq -r '.response.trades[0].assets_given[0].new_contextid' "$TMP/body")
ok "status 3 Complete; bot received $USR_ASSET → $BOT_NEW (context $BOT_NEW_CTX), user received $BOT_ASSET → $USR_NEW (context $USR_NEW_CTX)"
req -G --data-urlencode "access_token=$USR_AT" --data-urlencode "tradeid=$TRADEID" "$E/IEconService/GetTradeStatus/v1/" >/dev/null
check "the user's view of the trade mirrors it" \
  ".response.trades[0] | .steamid_other == \"$BOT_SID\" and .assets_received[0].new_assetid == \"$USR_NEW\" and .assets_given[0].new_assetid == \"$BOT_NEW\"" "$TMP/body"

step "Trade: both inventories changed, with new asset ids"
page_inventory "$BOT_SID" 2 "$BOT_SLS" >/dev/null
B2=$PAGED_TOTAL
cp "$TMP/ids-$BOT_SID-2" "$TMP/bot-ids-after"
page_inventory "$BOT_SID" 16 "$BOT_SLS" >/dev/null
B16=$PAGED_TOTAL
cat "$TMP/ids-$BOT_SID-16" >>"$TMP/bot-ids-after"
grep -qx "$BOT_ASSET" "$TMP/bot-ids-after" && fail "bot still has $BOT_ASSET"
ok "bot no longer has $BOT_ASSET"
grep -qx "$BOT_NEW" "$TMP/ids-$BOT_SID-$BOT_NEW_CTX" || fail "bot context $BOT_NEW_CTX lacks $BOT_NEW"
ok "bot has $BOT_NEW in context $BOT_NEW_CTX"
grep -qx "$BOT_NEW" "$TMP/bot-ids-before" && fail "$BOT_NEW is not a new id"
eq "bot item count (1 given, 1 received)" "$((B2 + B16))" "$BOT_ITEMS_BEFORE"
page_inventory "$USR_SID" 2 "$USR_SLS" >/dev/null
U2=$PAGED_TOTAL
cp "$TMP/ids-$USR_SID-2" "$TMP/usr-ids-after"
page_inventory "$USR_SID" 16 "$USR_SLS" >/dev/null
U16=$PAGED_TOTAL
cat "$TMP/ids-$USR_SID-16" >>"$TMP/usr-ids-after"
grep -qx "$USR_ASSET" "$TMP/usr-ids-after" && fail "user still has $USR_ASSET"
ok "user no longer has $USR_ASSET"
grep -qx "$USR_NEW" "$TMP/ids-$USR_SID-$USR_NEW_CTX" || fail "user context $USR_NEW_CTX lacks $USR_NEW"
ok "user has $USR_NEW in context $USR_NEW_CTX"
grep -qx "$USR_NEW" "$TMP/usr-ids-before" && fail "$USR_NEW is not a new id"
eq "user item count (1 given, 1 received)" "$((U2 + U16))" "$((USR_C2_BEFORE + USR_C16_BEFORE))"
