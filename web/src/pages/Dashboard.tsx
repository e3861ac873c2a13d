import { useTitle } from "../ui/States";

export default function Dashboard() {
  useTitle("Dashboard");
  return <h1>Dashboard</h1>;
}
