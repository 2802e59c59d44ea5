import { AuthForm } from '@/components/auth-form';

export default function SignUpPage() {
  return (
    <section>
      <h2>Sign up</h2>
      <AuthForm mode="sign-up" />
    </section>
  );
}
