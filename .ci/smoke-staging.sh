#!/usr/bin/env bash
# Smoke test of a deployed cluster (staging, Stripe in test mode), from outside as a customer and
# Stripe would see it: POST /signup on the api, the payment made in Stripe's test mode (the test card
# on the customer the sign-up's checkout created, a subscription to the starter plan), then the box
# read in the cluster's database until the operator reports it running, within the product's minute.
# The subscription is cancelled at the end, which must destroy the box. Needs curl, jq and ssh as
# root to the control plane (.ci/deploy.sh ssh-setup).
#   STAGING_DOMAIN STAGING_CONTROL_PLANE STRIPE_TEST_SECRET_KEY STAGING_STRIPE_PRICE
#   STAGING_BOT_TOKEN STAGING_TELEGRAM_USER_ID
set -euo pipefail

: "${STAGING_DOMAIN:?}" "${STAGING_CONTROL_PLANE:?}" "${STRIPE_TEST_SECRET_KEY:?}"
: "${STAGING_STRIPE_PRICE:?}" "${STAGING_BOT_TOKEN:?}" "${STAGING_TELEGRAM_USER_ID:?}"
case "$STRIPE_TEST_SECRET_KEY" in
  sk_test_*) ;;
  *) echo "STRIPE_TEST_SECRET_KEY is not a test-mode key (sk_test_...): refusing to pay" >&2; exit 1 ;;
esac
[[ "$STAGING_TELEGRAM_USER_ID" =~ ^[0-9]+$ ]] || { echo "STAGING_TELEGRAM_USER_ID: a number" >&2; exit 1; }
LIVE_WITHIN=60

api="https://$STAGING_DOMAIN"
stripe() { curl -fsS -u "$STRIPE_TEST_SECRET_KEY:" "https://api.stripe.com/v1/$1" "${@:2}"; }
# One value from the cluster's PostgreSQL (psql in the postgres pod, over the control plane's SSH).
sql() {
  ssh -o BatchMode=yes "root@$STAGING_CONTROL_PLANE" \
    k3s kubectl -n openclaw-system exec -i postgres-0 -- \
    psql -U openclaw -d openclaw -tAq -v ON_ERROR_STOP=1 <<<"$1"
}
uuid() { [[ "$1" =~ ^[0-9a-f-]{36}$ ]] || { echo "not a uuid: $1" >&2; exit 1; }; }
box_state() { sql "SELECT observed_state FROM boxes WHERE id = '$box'"; }

echo "== sign-up"
email="ci+${GITHUB_RUN_ID:-$(date +%s)}@$STAGING_DOMAIN"
signup=$(curl -fsS -X POST "$api/signup" -H 'Content-Type: application/json' \
  -d "$(jq -n --arg email "$email" --arg bot "$STAGING_BOT_TOKEN" \
    --argjson user "$STAGING_TELEGRAM_USER_ID" \
    '{email: $email, plan: "starter", botToken: $bot, allowedTelegramUserIds: [$user]}')")
customer=$(jq -r .customerId <<<"$signup")
box=$(jq -r .boxId <<<"$signup")
uuid "$customer"
uuid "$box"
jq -e '.checkoutUrl | startswith("https://checkout.stripe.com/")' <<<"$signup" >/dev/null
echo "customer $customer, box $box, pending: $(box_state)"

echo "== payment (Stripe test mode)"
stripe_customer=$(sql "SELECT stripe_customer_id FROM customers WHERE id = '$customer'")
[[ "$stripe_customer" == cus_* ]] || { echo "no Stripe customer for $customer" >&2; exit 1; }
card=$(stripe payment_methods/pm_card_visa/attach -d customer="$stripe_customer" | jq -r .id)
paid=$(date +%s)
subscription=$(stripe subscriptions -d customer="$stripe_customer" \
  -d "items[0][price]=$STAGING_STRIPE_PRICE" -d default_payment_method="$card" \
  -d "metadata[customer_id]=$customer")
sub=$(jq -r .id <<<"$subscription")
cancel() { stripe "subscriptions/$sub" -X DELETE >/dev/null || true; }
trap cancel EXIT
jq -e '.status == "active"' <<<"$subscription" >/dev/null

echo "== live within ${LIVE_WITHIN}s"
state=""
while [ $(($(date +%s) - paid)) -le $((LIVE_WITHIN + 30)) ]; do
  state=$(box_state)
  [ "$state" = running ] && break
  sleep 2
done
took=$(($(date +%s) - paid))
echo "box $state after ${took}s"
[ "$state" = running ] || { echo "the box is not running" >&2; exit 1; }
[ "$took" -le "$LIVE_WITHIN" ] || { echo "paid -> live took ${took}s (> ${LIVE_WITHIN}s)" >&2; exit 1; }

echo "== cancellation destroys the box"
trap - EXIT
stripe "subscriptions/$sub" -X DELETE | jq -e '.status == "canceled"' >/dev/null
for _ in $(seq 1 45); do
  state=$(box_state)
  [ "$state" = destroyed ] && break
  sleep 2
done
[ "$state" = destroyed ] || { echo "the box is $state after the cancellation" >&2; exit 1; }
echo "smoke test passed: sign-up -> live in ${took}s, cancelled -> destroyed"
