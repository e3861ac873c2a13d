import { lazy, Suspense } from "react";
import { Route, Switch } from "wouter";
import { Layout } from "./ui/Layout";
import { Loading } from "./ui/States";
import { Landing } from "./pages/Landing";
import { NotFound } from "./pages/NotFound";

// The landing page is in the first bundle; every other page is its own chunk, loaded on first visit,
// so the first screen stays small (docs/benchmarks.md: landing JavaScript <= 100 KB gzip).
const Chat = lazy(() => import("./pages/Chat"));
const SignIn = lazy(() => import("./pages/SignIn"));
const BillingDone = lazy(() => import("./pages/BillingDone"));
const BillingCancelled = lazy(() => import("./pages/BillingCancelled"));
const Dashboard = lazy(() => import("./pages/Dashboard"));
const Console = lazy(() => import("./pages/console/Console"));

/** Every page of the site; the api serves index.html for each of these paths (WebApp.PAGES). */
export function App() {
  return (
    <Layout>
      <Suspense fallback={<Loading what="page" />}>
        <Switch>
          <Route path="/" component={Landing} />
          <Route path="/start" component={Chat} />
          <Route path="/signin" component={SignIn} />
          <Route path="/billing/done" component={BillingDone} />
          <Route path="/billing/cancelled" component={BillingCancelled} />
          <Route path="/dashboard" component={Dashboard} />
          <Route path="/console" nest>
            <Console />
          </Route>
          <Route component={NotFound} />
        </Switch>
      </Suspense>
    </Layout>
  );
}
