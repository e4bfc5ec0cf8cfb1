// An offline provider for the fixture: it shouts its answer, and times out on one question.
module.exports = class Tuned {
  constructor(options) {
    this.label = (options && options.label) || 'tuned';
  }
  id() {
    return 'file://tuned.js';
  }
  async callApi(prompt) {
    if (prompt.includes('Oslo')) {
      return { error: 'upstream timed out' };
    }
    return { output: prompt.toUpperCase() };
  }
};
