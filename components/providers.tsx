"use client";

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { SessionProvider, signOut } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import { ApiError } from "./api-client";
import { useFormMessages } from "./forms/zod-messages";

function createQueryClient(navigate: (url: string) => void) {
  // An expired session (or a deactivated user) makes every call answer 401: drop the cookie, so the
  // sign-in page does not bounce straight back, and come back here after signing in again.
  let leaving = false;
  const onApiError = (error: unknown) => {
    if (!(error instanceof ApiError) || error.status !== 401 || leaving || window.location.pathname === "/signin") return;
    leaving = true;
    const back = encodeURIComponent(window.location.pathname + window.location.search);
    void signOut({ redirect: false }).finally(() => {
      leaving = false;
      navigate(`/signin?callbackUrl=${back}`);
    });
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError: onApiError }),
    mutationCache: new MutationCache({ onError: onApiError }),
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        // 4xx answers will not change by asking again; network errors and 5xx might.
        retry: (failures, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
      },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  useFormMessages();
  const router = useRouter();
  const [queryClient] = useState(() => createQueryClient((url) => router.replace(url)));
  return (
    <SessionProvider refetchOnWindowFocus={false}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </SessionProvider>
  );
}
