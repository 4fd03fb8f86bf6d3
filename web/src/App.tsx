import { useEffect } from "preact/hooks";

import { Header } from "./components/Header";
import { ServicesContext, type Services } from "./context";
import { CustomerPage } from "./pages/customer/CustomerPage";
import { QueuePage } from "./pages/queue/QueuePage";
import { LazyPage } from "./components/LazyPage";
import { SignInPage } from "./pages/signin/SignInPage";
import { PAGES, homeOf, pagesFor, type PageId } from "./router";

// Supervisors' pages are fetched when first opened: customers and agents never load them.
const loadReview = () => import("./pages/review/ReviewPage").then((module) => module.ReviewPage);
const loadModels = () => import("./pages/models/ModelsPage").then((module) => module.ModelsPage);
const loadTrends = () => import("./pages/trends/TrendsPage").then((module) => module.TrendsPage);

/** Which page to show: sign-in until someone is signed in, then only pages their role may use. */
function resolvePage(page: PageId | null, role: Parameters<typeof pagesFor>[0] | null): PageId {
  if (role === null) return "sign-in";
  if (page === null || page === "sign-in" || !pagesFor(role).includes(page)) return homeOf(role);
  return page;
}

export function App({ services }: { services: Services }) {
  const { session, router } = services;
  const user = session.user.value;
  const wanted = router.page.value;
  const page = resolvePage(wanted, user?.role ?? null);

  useEffect(() => {
    if (page !== wanted) router.go(page);
    document.title = page === "sign-in" ? "Sign in · carescore" : `${PAGES[page].title} · carescore`;
  }, [page, wanted, router]);

  async function signOut() {
    await session.signOut();
    router.go("sign-in");
  }

  return (
    <ServicesContext.Provider value={services}>
      <Header user={user} page={page} onSignOut={() => void signOut()} />
      <main id="main" tabIndex={-1}>
        {page === "sign-in" || !user ? (
          <SignInPage onSignedIn={() => router.go(homeOf(session.user.value?.role ?? "customer"))} />
        ) : page === "requests" ? (
          <CustomerPage />
        ) : page === "review" ? (
          <LazyPage name="review" load={loadReview} />
        ) : page === "models" ? (
          <LazyPage name="models" load={loadModels} />
        ) : page === "trends" ? (
          <LazyPage name="trends" load={loadTrends} />
        ) : (
          <QueuePage user={user} />
        )}
      </main>
    </ServicesContext.Provider>
  );
}
