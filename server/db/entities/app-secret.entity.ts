import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** Secrets the processes generate once and share through the database (the development JWT key). */
export const AppSecret = defineEntity({
  name: 'AppSecret',
  tableName: 'app_secret',
  properties: {
    name: p.string().length(40).primary(),
    value: p.text(),
    createdAt: p.datetime(),
  },
});
export type IAppSecret = InferEntity<typeof AppSecret>;
