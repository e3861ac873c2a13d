import { useTitle } from "../../ui/States";

/** The admin panel, nested under /console. */
export default function Console() {
  useTitle("Admin");
  return <h1>Admin</h1>;
}
