import { DEMO_TENANTS } from '../tenants/demo.ts';
import { getTenantBySlug } from '../tenants/service.ts';
import { seedFaq } from './faq.ts';

type Entry = { key: string; topic: string; question: string; answer: string };

const RU: Entry[] = [
  {
    key: 'register',
    topic: 'cabinet',
    question: 'Как зарегистрироваться в личном кабинете?',
    answer:
      'Нажмите «Регистрация», укажите адрес электронной почты и пароль из латинских букв и цифр (от 5 до 10 символов) и подтвердите регистрацию по ссылке из письма.',
  },
  {
    key: 'link-account',
    topic: 'cabinet',
    question: 'Как подключить лицевой счёт?',
    answer:
      'В разделе «Настройки» нажмите «Подключение ЛС», выберите поставщика и введите номер лицевого счёта из квитанции. Если не уверены в номере, наведите указатель на знак вопроса возле поля.',
  },
  {
    key: 'password',
    topic: 'cabinet',
    question: 'Как сменить или восстановить пароль?',
    answer:
      'Сменить пароль можно в разделе «Настройки»: введите текущий пароль и дважды новый. Если пароль забыт, на странице входа нажмите «Забыли пароль?» — ссылка для восстановления придёт на почту.',
  },
  {
    key: 'readings',
    topic: 'meters',
    question: 'Когда и как передать показания счётчика?',
    answer: 'Показания принимаются в разделе «Показания» в дни, указанные над формой. Их также можно передать при оплате онлайн.',
  },
  {
    key: 'debt',
    topic: 'charges',
    question: 'Почему сумма долга отличается от квитанции?',
    answer:
      'В кабинете долг показан на сегодняшний день с учётом поступивших оплат, а в квитанции — на дату её формирования. Платёж отражается в течение 1–3 рабочих дней.',
  },
  {
    key: 'pay-part',
    topic: 'payments',
    question: 'Можно ли оплатить только один из лицевых счетов?',
    answer: 'Да. В форме оплаты поставьте 0 в поле «Сумма» у тех счетов, которые оплачивать не нужно.',
  },
  {
    key: 'pin',
    topic: 'other',
    question: 'Где взять пин-код для расширенной версии кабинета?',
    answer: 'Пин-коды выдаются при личном обращении в участок и периодически печатаются в квитанциях.',
  },
];

const EN: Entry[] = [
  {
    key: 'register',
    topic: 'cabinet',
    question: 'How do I register in the cabinet?',
    answer:
      'Click “Register”, enter your email and a password of Latin letters and digits (5 to 10 characters), then confirm with the link in the email.',
  },
  {
    key: 'link-account',
    topic: 'cabinet',
    question: 'How do I link an account?',
    answer:
      'In “Settings” click “Link account”, choose the supplier and enter the account number from your bill. Unsure about the number? Point at the question mark next to the field.',
  },
  {
    key: 'readings',
    topic: 'meters',
    question: 'When and how do I submit meter readings?',
    answer:
      'Readings are accepted under “Readings” on the days shown above the form. You can also submit them with an online payment.',
  },
];

/** Questions and answers of the demo suppliers, in Russian and English (only where a supplier has none yet). */
export async function seedDemoFaq(): Promise<number> {
  let created = 0;
  for (const { slug } of DEMO_TENANTS) {
    const tenant = await getTenantBySlug(slug);
    created += await seedFaq(tenant._id, 'ru', RU);
    created += await seedFaq(tenant._id, 'en', EN);
  }
  return created;
}
