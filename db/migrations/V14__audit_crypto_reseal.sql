-- An admin (or ./openclaw-cloud reseal) re-seals every secret under the active key; the target is
-- the key id the secrets moved to. V14: another branch of issue 17 takes V13.
ALTER TABLE admin_audit_log DROP CONSTRAINT admin_audit_log_action_check;
ALTER TABLE admin_audit_log ADD CONSTRAINT admin_audit_log_action_check
    CHECK (action IN ('job.retry', 'box.suspend', 'box.reactivate', 'box.destroy',
                      'box.rotate-bot-token', 'crypto.reseal'));
ALTER TABLE admin_audit_log DROP CONSTRAINT admin_audit_log_target_type_check;
ALTER TABLE admin_audit_log ADD CONSTRAINT admin_audit_log_target_type_check
    CHECK (target_type IN ('job', 'box', 'crypto-key'));
