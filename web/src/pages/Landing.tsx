import { useTitle } from "../ui/States";

export function Landing() {
  useTitle("Your own agent on Telegram");
  return <h1>Your own OpenClaw agent on Telegram</h1>;
}
