-- An admin may rotate the token of a box's managed bot (POST /admin/boxes/{id}/rotate-bot-token).
ALTER TABLE admin_audit_log DROP CONSTRAINT admin_audit_log_action_check;
ALTER TABLE admin_audit_log ADD CONSTRAINT admin_audit_log_action_check
    CHECK (action IN ('job.retry', 'box.suspend', 'box.reactivate', 'box.destroy',
                      'box.rotate-bot-token'));
