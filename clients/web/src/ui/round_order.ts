// The console's custom round order: the people in the room who may take a
// turn (observers never), in an order the facilitator sets with move up and
// down buttons, each with a box to leave them out. Participants and family
// members are in by default, facilitators out (as in a roster round).
import { Role } from "../gen/hearth/v1/role_pb";
import { Presence } from "../gen/hearth/v1/room_pb";
import { isStaff, type RoomModel } from "../state/room_model";
import { byId, h, redraw, show } from "./dom";

export class RoundOrderEditor {
  private order: number[] = [];
  private readonly out = new Set<number>();

  constructor(private readonly model: RoomModel) {
    byId<HTMLSelectElement>("round-order").addEventListener("change", () => this.draw());
  }

  /** The member ids for StartRound.custom_order. */
  customOrder(): number[] {
    return this.order.filter((id) => !this.out.has(id));
  }

  draw(): void {
    const custom = byId<HTMLSelectElement>("round-order").value === "2";
    show(byId("round-custom"), custom && this.model.staff);
    const eligible = this.model.roster().filter((m) => m.role !== Role.OBSERVER && m.presence !== Presence.LEFT);
    const ids = new Set(eligible.map((m) => m.memberId));
    for (const m of eligible) {
      if (!this.order.includes(m.memberId)) {
        this.order.push(m.memberId);
        if (isStaff(m.role)) {
          this.out.add(m.memberId);
        }
      }
    }
    this.order = this.order.filter((id) => ids.has(id));
    const names = this.order.map((id) => this.model.members.get(id)?.displayName ?? this.model.name(id));
    redraw(byId("round-custom-list"), JSON.stringify([this.order, [...this.out], names]), this.order.map((id, i) => {
      const name = names[i];
      return h("li", {},
        h("label", { class: "ws-check" }, h("input", {
          type: "checkbox", "data-key": `rc-in${id}`, ...(this.out.has(id) ? {} : { checked: true }),
          change: (e) => this.include(id, (e.target as HTMLInputElement).checked),
        }), ` ${name} takes a turn`),
        h("div", { class: "actions" },
          i > 0 && h("button", { type: "button", class: "small", "data-key": `rc-up${id}`, click: () => this.move(i, -1) }, `Move ${name} up`),
          i < this.order.length - 1 && h("button", { type: "button", class: "small", "data-key": `rc-down${id}`, click: () => this.move(i, 1) }, `Move ${name} down`)));
    }));
  }

  private include(id: number, yes: boolean): void {
    if (yes) {
      this.out.delete(id);
    } else {
      this.out.add(id);
    }
    this.draw();
  }

  private move(i: number, by: -1 | 1): void {
    const [id] = this.order.splice(i, 1);
    this.order.splice(i + by, 0, id);
    this.draw();
    // At the top or the bottom the pressed button is gone: keep the keyboard
    // on the same person's other button.
    const list = byId("round-custom-list");
    if (!list.contains(document.activeElement)) {
      list.querySelector<HTMLElement>(`[data-key="rc-up${id}"], [data-key="rc-down${id}"]`)?.focus();
    }
  }
}
