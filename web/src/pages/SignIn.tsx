import { useTitle } from "../ui/States";

export default function SignIn() {
  useTitle("SignIn");
  return <h1>SignIn</h1>;
}
