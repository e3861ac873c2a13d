-- A box whose gateway runs but whose Telegram bot token Telegram refuses (getMe 401: the token was
-- revoked in BotFather) is not running: it is 'bot_refused' until the token works again. The
-- customer is told once by mail (kind 'bot_refused', dedupe key 'bot_refused:<box>').
ALTER TABLE boxes DROP CONSTRAINT boxes_observed_state_check;
ALTER TABLE boxes ADD CONSTRAINT boxes_observed_state_check
    CHECK (observed_state IN ('pending', 'provisioning', 'running', 'bot_refused', 'suspended',
                              'destroying', 'destroyed', 'failed'));

ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('sign_in_link', 'agent_live', 'usage_warning', 'payment_failed', 'suspended',
                    'cancelled', 'bot_refused'));
