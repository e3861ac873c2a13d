-- What the customer said their agent is for (onboarding's first question), in their own words. The
-- operator writes it into the box's OpenClaw workspace (USER.md) so the agent knows its job from its
-- first message. Free text, at most 2000 characters; null for boxes made before onboarding asked.
ALTER TABLE boxes ADD COLUMN use_case text
    CONSTRAINT boxes_use_case_length CHECK (char_length(use_case) <= 2000);
