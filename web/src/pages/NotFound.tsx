import { Link } from "wouter";
import { useTitle } from "../ui/States";

export function NotFound() {
  useTitle("Not found");
  return (
    <section>
      <h1>Nothing here</h1>
      <p>
        This page does not exist. <Link href="/">Go to the start page</Link>.
      </p>
    </section>
  );
}
