import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './styles.css';

export const metadata: Metadata = {
  title: 'Next.js + Better Auth on MikroORM',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <main>
          <h1>Next.js + Better Auth on MikroORM</h1>
          {children}
        </main>
      </body>
    </html>
  );
}
