/** JSON schemas of the public answers (api.md), shared by the routes that return them. */
const itemRef = {
  type: 'object',
  required: ['assetId', 'marketHashName', 'price'],
  properties: { assetId: { type: 'string' }, marketHashName: { type: 'string' }, price: { type: 'integer' } },
} as const;

export const tradeSchema = {
  type: 'object',
  required: [
    'id',
    'type',
    'state',
    'give',
    'receive',
    'giveValue',
    'receiveValue',
    'balanceDelta',
    'currency',
    'verificationCode',
    'expiresAt',
    'createdAt',
    'updatedAt',
    'offers',
  ],
  properties: {
    id: { type: 'string' },
    type: { enum: ['deposit', 'withdraw', 'swap'] },
    state: {
      enum: [
        'pending',
        'sent',
        'canceling',
        'completed',
        'declined',
        'expired',
        'canceled',
        'failed',
        'reversed',
      ],
    },
    give: { type: 'array', items: itemRef },
    receive: { type: 'array', items: itemRef },
    giveValue: { type: 'integer' },
    receiveValue: { type: 'integer' },
    balanceDelta: { type: 'integer' },
    hold: { type: 'integer' },
    currency: { const: 'USD' },
    verificationCode: { type: 'string' },
    expiresAt: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    completedAt: { type: ['string', 'null'] },
    reason: { type: ['string', 'null'] },
    offers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'steamOfferId', 'state'],
        properties: {
          id: { type: 'string' },
          steamOfferId: { type: ['string', 'null'] },
          state: { type: 'string' },
          give: { type: 'array', items: { type: 'string' } },
          receive: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

/** api.md's item fields after its price: the same on the user's items and the site's. */
export const itemDetailProperties = {
  floatValue: { type: ['number', 'null'] },
  paintSeed: { type: ['integer', 'null'] },
  phase: { type: ['string', 'null'] },
  exterior: { type: ['string', 'null'] },
  rarity: { type: ['string', 'null'] },
  type: { type: 'string' },
  weapon: { type: ['string', 'null'] },
  statTrak: { type: 'boolean' },
  souvenir: { type: 'boolean' },
  stickers: {
    type: 'array',
    items: { type: 'object', properties: { name: { type: 'string' }, slot: { type: 'integer' } } },
  },
  iconUrl: { type: 'string' },
  tradableAt: { type: ['string', 'null'] },
} as const;

export const userItemSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['assetId', 'marketHashName', 'name', 'price', 'accepted', 'refusal', 'tradableAt'],
  properties: {
    assetId: { type: 'string' },
    marketHashName: { type: 'string' },
    name: { type: 'string' },
    price: { type: ['integer', 'null'] },
    ...itemDetailProperties,
    accepted: { type: 'boolean' },
    refusal: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['code', 'message'],
          properties: { code: { type: 'string' }, message: { type: 'string' } },
        },
      ],
    },
  },
} as const;

export const cursorQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    cursor: { type: 'string', pattern: '^[1-9][0-9]{0,19}$' },
  },
} as const;
