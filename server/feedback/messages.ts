import type { Block, Template } from '../notify/templates.ts';

/** Template names of the feedback module's messages. */
export const DEPARTMENT_TEMPLATE = 'feedback.department';
export const ANSWERED_TEMPLATE = 'feedback.answered';

/**
 * To the department: the request with its contact, account and attachment links. The department's
 * staff answer by replying (the message's Reply-To identifies the request).
 */
export const feedbackTemplates: Record<string, Template> = {
  [DEPARTMENT_TEMPLATE]: (t, data) => {
    const topic = t(`feedback:topics.${data.topic}`);
    const files: Block[] = [];
    for (let i = 0; i < Number(data.files ?? 0); i++)
      files.push({ button: String(data[`file${i}Name`]), url: String(data[`file${i}Url`]) });
    const contact = [
      data.name ? `${t('feedback:mail.department.name')}: ${data.name}` : '',
      data.email ? `${t('feedback:mail.department.email')}: ${data.email}` : '',
      data.phone ? `${t('feedback:mail.department.phone')}: ${data.phone}` : '',
      data.accountNumber ? `${t('feedback:mail.department.account')}: ${data.accountNumber}` : '',
      `${t('feedback:mail.department.author')}: ${t(Number(data.signedIn) ? 'feedback:mail.department.signedIn' : 'feedback:mail.department.anonymous')}`,
    ].filter(Boolean);
    return {
      subject: t('feedback:mail.department.subject', { number: data.number, topic }),
      blocks: [
        { text: t('feedback:mail.department.intro', { number: data.number, topic }) },
        { text: String(data.message) },
        { note: contact.join('\n') },
        ...(files.length ? [{ note: t('feedback:mail.department.files', { count: files.length }) }, ...files] : []),
        { note: t('feedback:mail.department.howToAnswer') },
      ],
    };
  },

  /** To the author: the answer to their request. */
  [ANSWERED_TEMPLATE]: (t, data) => ({
    subject: t('feedback:mail.answered.subject', { number: data.number }),
    blocks: [
      { text: t('feedback:mail.answered.intro', { number: data.number, topic: t(`feedback:topics.${data.topic}`) }) },
      { text: String(data.answer) },
      { note: t('feedback:mail.answered.where') },
    ],
    sms: t('feedback:mail.answered.sms', { number: data.number }),
  }),
};
