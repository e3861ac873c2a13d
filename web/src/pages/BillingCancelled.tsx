import { useTitle } from "../ui/States";

export default function BillingCancelled() {
  useTitle("BillingCancelled");
  return <h1>BillingCancelled</h1>;
}
