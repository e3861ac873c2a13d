import { useTitle } from "../ui/States";

export default function Chat() {
  useTitle("Chat");
  return <h1>Chat</h1>;
}
