import { sample } from './bridge.mjs';

class Metric {
  constructor(name, kind, isTime = false) {
    this.name = name;
    this.kind = kind;
    this.isTime = isTime;
  }
  add(value, tags) {
    sample(this.name, this.kind, typeof value === 'boolean' ? (value ? 1 : 0) : Number(value), tags);
  }
}
export class Counter extends Metric {
  constructor(name) {
    super(name, 'counter');
  }
}
export class Trend extends Metric {
  constructor(name, isTime) {
    super(name, 'trend', isTime);
  }
}
export class Rate extends Metric {
  constructor(name) {
    super(name, 'rate');
  }
}
export class Gauge extends Metric {
  constructor(name) {
    super(name, 'gauge');
  }
}
