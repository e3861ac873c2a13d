import { useCallback, useState } from "react";
import { Link, Route, Switch } from "wouter";
import { useSession } from "../../lib/session";
import { Loading, useTitle } from "../../ui/States";
import { DenyContext, isForbidden } from "./access";
import { Audit } from "./Audit";
import { BoxPage } from "./BoxPage";
import { Boxes } from "./Boxes";
import { CustomerPage } from "./CustomerPage";
import { Customers } from "./Customers";
import { Jobs } from "./Jobs";
import { Overview } from "./Overview";
import { SubNav } from "./SubNav";
import "./console.css";

function SignInFirst() {
  useTitle("Admin");
  return (
    <>
      <h1>Admin</h1>
      <p>Sign in with an administrator's email to use the admin panel.</p>
      <p>
        <Link href="~/signin" className="button">
          Sign in
        </Link>
      </p>
    </>
  );
}

function AdminsOnly() {
  useTitle("Admin");
  return (
    <>
      <h1>Admin</h1>
      <p>This page is for the platform's administrators.</p>
    </>
  );
}

function NoSuchPage() {
  useTitle("Admin");
  return (
    <>
      <h1>No such admin page</h1>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </>
  );
}

/**
 * The admin panel, nested under /console (its routes are relative to it). Admins only: a visitor
 * gets a way to sign in, anyone else (or anyone the api refuses with 403) one sentence and nothing
 * that an /admin call returned.
 */
export default function Console() {
  const { me, loading, isAdmin } = useSession();
  const [denied, setDenied] = useState(false);
  const deny = useCallback((error: unknown) => {
    if (isForbidden(error)) setDenied(true);
  }, []);

  if (loading) return <Loading what="your session" />;
  if (!me) return <SignInFirst />;
  if (!isAdmin || denied) return <AdminsOnly />;
  return (
    <DenyContext.Provider value={deny}>
      <div className="console">
        <SubNav />
        <Switch>
          <Route path="/" component={Overview} />
          <Route path="/customers" component={Customers} />
          <Route path="/customers/:id" component={CustomerPage} />
          <Route path="/boxes" component={Boxes} />
          <Route path="/boxes/:id" component={BoxPage} />
          <Route path="/jobs" component={Jobs} />
          <Route path="/audit" component={Audit} />
          <Route component={NoSuchPage} />
        </Switch>
      </div>
    </DenyContext.Provider>
  );
}
