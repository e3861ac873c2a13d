import { useTitle } from "../ui/States";

export default function BillingDone() {
  useTitle("BillingDone");
  return <h1>BillingDone</h1>;
}
